using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Msr.Core.Native;

/// <summary>
/// Process-wide libtorch set-up: makes the native library loadable on this system before
/// TorchSharp first touches it, and sets the CPU thread count exactly once.
/// </summary>
/// <remarks>
/// The module initializer runs before any type of Msr.Core is used, so the CLI, the tests and
/// <c>dotnet fsi</c> scripts that reference the built assemblies all get the fix without a call.
/// </remarks>
public static class TorchRuntime
{
    static readonly object Gate = new();
    static bool _nativeReady;
    static int? _threads;

    /// <summary>What the bootstrap did on this process (for diagnostics and the report's version block).</summary>
    public static string NativeStatus { get; private set; } = "not initialised";

    /// <summary>How libtorch's OpenMP threads wait between parallel regions in this process, and why (<see cref="OpenMpWaiting"/>).</summary>
    public static string OpenMpWaitingChoice { get; private set; } = "not chosen (not Linux, or the bootstrap failed)";

    /// <summary>Whether freed tensor memory stays with the process for reuse, and why (<see cref="MallocRetention"/>).</summary>
    public static string MallocChoice { get; private set; } = "malloc: not tuned (not Linux, or the bootstrap failed)";

#pragma warning disable CA2255 // a library module initializer is exactly what we want here
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void OnModuleLoad()
    {
        // Never throw from a module initializer: it would surface as TypeInitializationException
        // far from the cause. Errors are rethrown with their message on first explicit use.
        try { EnsureNativeLoaded(); }
        catch (Exception e) { NativeStatus = "failed: " + e.Message; }
    }

    /// <summary>Patches (if needed) and preloads <c>libLibTorchSharp.so</c>. Idempotent.</summary>
    public static void EnsureNativeLoaded()
    {
        lock (Gate)
        {
            if (_nativeReady) return;
            if (!OperatingSystem.IsLinux()) { NativeStatus = "not Linux: nothing to do"; _nativeReady = true; return; }
            // Both must be set before libgomp and libtorch load and allocate; the status reports them together.
            OpenMpWaitingChoice = OpenMpWaiting.Apply().Reason;
            MallocChoice = MallocRetention.Apply();
            var runtimeChoices = $"{OpenMpWaitingChoice}; {MallocChoice}";
            var library = LocateLibTorchSharp();
            if (library is null) { NativeStatus = $"libLibTorchSharp.so not found beside TorchSharp.dll: left to TorchSharp; {runtimeChoices}"; _nativeReady = true; return; }

            var needs = SymbolVersionPatcher.UnsatisfiedNeeds(library, SymbolVersionPatcher.LocateSystemLibrary);
            if (needs.Count > 0)
            {
                EnsureWritable(library);
                SymbolVersionPatcher.Weaken(library, needs);
                NativeStatus = $"patched {library}: weak {string.Join(", ", needs.Select(n => n.Version))}";
            }
            else NativeStatus = $"{library}: no patch needed";

            if (ExternalLibTorch.RequestedFolder() is { } folder)
                NativeStatus += "; " + ExternalLibTorch.Load(folder, library);
            // Preload by absolute path; TorchSharp's later load by name resolves to this handle
            // (the loader matches the library's soname), and $ORIGIN finds libtorch beside it.
            NativeLibrary.Load(library);
            NativeStatus += "; " + runtimeChoices;
            _nativeReady = true;
        }
    }

    /// <summary>
    /// Sets libtorch's intra-op CPU threads once per process. Later calls with the same value are
    /// no-ops; a different value is refused, because changing it mid-process is unsafe in libtorch.
    /// </summary>
    public static void SetThreadsOnce(int threads)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, $"threads: {threads} is not a thread count (at least 1)");
        lock (Gate)
        {
            if (_threads == threads) return;
            if (_threads is { } set)
                throw new ThreadCountConflictException(set, threads);
            EnsureNativeLoaded();
            TorchSharp.torch.set_num_threads(threads);
            _threads = threads;
        }
    }

    /// <summary>The thread count set by <see cref="SetThreadsOnce"/>, or libtorch's current value.</summary>
    public static int Threads
    {
        get { lock (Gate) return _threads ?? TorchSharp.torch.get_num_threads(); }
    }

    /// <summary>The build output's libLibTorchSharp.so, or null where TorchSharp keeps it elsewhere.</summary>
    public static string? LocateLibTorchSharp()
    {
        var dirs = new List<string>();
        var torchAssembly = typeof(TorchSharp.torch).Assembly.Location;
        if (!string.IsNullOrEmpty(torchAssembly)) dirs.Add(Path.GetDirectoryName(torchAssembly)!);
        dirs.Add(AppContext.BaseDirectory);
        var rid = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";
        return dirs.Distinct()
            .SelectMany(d => new[] { Path.Combine(d, "libLibTorchSharp.so"), Path.Combine(d, "runtimes", rid, "native", "libLibTorchSharp.so") })
            .FirstOrDefault(File.Exists);
    }

    static void EnsureWritable(string library)
    {
        var dir = Path.GetDirectoryName(library)!;
        try
        {
            var probe = Path.Combine(dir, $".msr-write-probe-{Environment.ProcessId}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PlatformNotSupportedException(
                $"{library} needs a patch to load on this system (its C++ runtime is older than GCC 13's) but {dir} is not writable. " +
                "Reference Msr's built output folder (dotnet build) rather than a read-only package cache.", e);
        }
    }
}

/// <summary>libtorch's CPU thread count was already set to another value in this process (it is per process).</summary>
public sealed class ThreadCountConflictException(int set, int requested)
    : InvalidOperationException($"CPU threads were already set to {set} in this process; cannot change to {requested}.")
{
    public int Set { get; } = set;
    public int Requested { get; } = requested;
}
