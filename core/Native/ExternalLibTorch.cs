using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Msr.Core.Native;

/// <summary>
/// Runs TorchSharp on the libtorch of an installed PyTorch (how Msr gets CUDA where the TorchSharp-cuda package is not
/// available): <c>MSR_LIBTORCH=&lt;torch/lib folder&gt;</c>, or <c>MSR_LIBTORCH=python</c> to ask <c>python3</c> where its
/// torch is. Before anything loads, every symbol <c>libLibTorchSharp.so</c> needs from libtorch must be defined by
/// that install, otherwise it is refused with the missing names (a libtorch too old or too new for this TorchSharp).
/// </summary>
public static class ExternalLibTorch
{
    public const string Variable = "MSR_LIBTORCH";

    /// <summary>The libraries of a libtorch install, in the order that loads (CUDA ones only where present).</summary>
    public static readonly IReadOnlyList<string> LoadOrder =
        ["libc10.so", "libtorch_cpu.so", "libc10_cuda.so", "libtorch_cuda.so", "libtorch.so"];

    /// <summary>The folder named by <see cref="Variable"/> (resolving <c>python</c>), or null when it is unset.</summary>
    public static string? RequestedFolder(Func<string?>? askPython = null)
    {
        var value = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (value.Trim().Equals("python", StringComparison.OrdinalIgnoreCase))
            return (askPython ?? AskPython)()
                ?? throw new InvalidOperationException($"{Variable}=python: python3 could not import torch; set {Variable} to a torch/lib folder instead");
        return value.Trim();
    }

    /// <summary>The libraries of <paramref name="folder"/> to preload, in load order; libc10, libtorch_cpu and libtorch are required.</summary>
    public static IReadOnlyList<string> Libraries(string folder)
    {
        if (!Directory.Exists(folder)) throw new InvalidOperationException($"{Variable}: folder '{folder}' does not exist");
        var present = LoadOrder.Select(name => Path.Combine(folder, name)).Where(File.Exists).ToList();
        var missing = new[] { "libc10.so", "libtorch_cpu.so", "libtorch.so" }.Where(n => !File.Exists(Path.Combine(folder, n))).ToList();
        if (missing.Count > 0)
            throw new InvalidOperationException($"{Variable}: '{folder}' is not a libtorch folder: {string.Join(", ", missing)} missing");
        return present;
    }

    /// <summary>Symbols <paramref name="libTorchSharp"/> needs from libtorch that the libraries do not define.</summary>
    public static IReadOnlyList<string> MissingSymbols(string libTorchSharp, IEnumerable<string> libraries)
    {
        var defined = new HashSet<string>(StringComparer.Ordinal);
        foreach (var library in libraries) defined.UnionWith(ElfDynamicSymbols.Read(library).Defined);
        return [.. ElfDynamicSymbols.Read(libTorchSharp).UndefinedUnversioned.Where(s => !defined.Contains(s)).Order(StringComparer.Ordinal)];
    }

    /// <summary>Checks the install against <paramref name="libTorchSharp"/> and preloads it in <see cref="LoadOrder"/>.</summary>
    /// <returns>A one-line status for diagnostics.</returns>
    public static string Load(string folder, string libTorchSharp)
    {
        var libraries = Libraries(folder);
        var missing = MissingSymbols(libTorchSharp, libraries);
        if (missing.Count > 0)
            throw new InvalidOperationException(
                $"{Variable}: the libtorch in '{folder}' does not fit this TorchSharp ({Path.GetFileName(libTorchSharp)} needs {missing.Count} " +
                $"symbol(s) it lacks, e.g. {string.Join(", ", missing.Take(3))}); use a PyTorch whose libtorch matches TorchSharp " +
                $"{typeof(TorchSharp.torch).Assembly.GetName().Version} (libtorch 2.10 or a compatible 2.11), or unset {Variable}");
        // Loading by absolute path first makes the dynamic loader resolve libLibTorchSharp's needs (by soname) to
        // these libraries instead of a libtorch that may sit beside it.
        foreach (var library in libraries) NativeLibrary.Load(library);
        return $"libtorch from {folder} ({libraries.Count} libraries, all {ElfDynamicSymbols.Read(libTorchSharp).UndefinedUnversioned.Count} needed symbols present)";
    }

    static string? AskPython()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("python3", ["-c", "import os, torch; print(os.path.join(os.path.dirname(torch.__file__), 'lib'))"])
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            });
            if (process is null) return null;
            var output = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            return process.ExitCode == 0 && Directory.Exists(output) ? output : null;
        }
        catch (System.ComponentModel.Win32Exception) { return null; }
    }
}
