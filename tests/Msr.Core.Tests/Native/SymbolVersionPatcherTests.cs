using System.Runtime.InteropServices;
using Msr.Core.Native;
using Xunit;
using static TorchSharp.torch;

namespace Msr.Core.Tests.Native;

public sealed class SymbolVersionPatcherTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("msr-elf-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    static string LoadedLibTorchSharp()
    {
        TorchRuntime.EnsureNativeLoaded();
        var dir = Path.GetDirectoryName(typeof(TorchSharp.torch).Assembly.Location)!;
        var path = new[] { Path.Combine(dir, "runtimes", "linux-x64", "native", "libLibTorchSharp.so"), Path.Combine(dir, "libLibTorchSharp.so") }
            .First(File.Exists);
        return path;
    }

    static string SystemLibStdCxx() => SymbolVersionPatcher.LocateSystemLibrary("libstdc++.so.6")
        ?? throw new InvalidOperationException("no libstdc++ on this system");

    [Fact]
    public void Reads_the_version_requirements_of_libtorchsharp()
    {
        var needs = ElfVersionNeeds.ReadNeeds(LoadedLibTorchSharp());
        Assert.Contains(needs, n => n.Library == "libstdc++.so.6" && n.Version == "GLIBCXX_3.4.32");
        var marker = needs.Single(n => n.Version == "GLIBCXX_3.4.32");
        Assert.Equal(["_ZSt21ios_base_library_initv"], marker.Symbols);
        Assert.Contains(needs, n => n.Library == "libc.so.6" && n.Version.StartsWith("GLIBC_2.", StringComparison.Ordinal));
    }

    [Fact]
    public void System_libstdcxx_definitions_are_read()
    {
        var defined = ElfVersionNeeds.ReadDefinedVersions(SystemLibStdCxx());
        Assert.Contains("GLIBCXX_3.4", defined);
        Assert.Contains("CXXABI_1.3", defined);
    }

    [Fact]
    public void Patching_a_pristine_copy_weakens_only_the_missing_version_and_is_idempotent()
    {
        // The NuGet package holds the unpatched original; patch a copy of it.
        var original = Path.Combine(NuGetPackageRoot(), "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        if (!File.Exists(original)) original = LoadedLibTorchSharp();
        var copy = Path.Combine(_dir, "libLibTorchSharp.so");
        File.Copy(original, copy);
        var before = File.ReadAllBytes(copy);

        bool systemHasIt = ElfVersionNeeds.ReadDefinedVersions(SystemLibStdCxx()).Contains("GLIBCXX_3.4.32");
        var unsatisfied = SymbolVersionPatcher.UnsatisfiedNeeds(copy, SymbolVersionPatcher.LocateSystemLibrary);
        bool alreadyWeak = ElfVersionNeeds.ReadNeeds(copy).Single(n => n.Version == "GLIBCXX_3.4.32").Weak;
        if (systemHasIt || alreadyWeak)
        {
            Assert.Empty(unsatisfied); // nothing to do where the system is new enough
            return;
        }
        Assert.Equal(["GLIBCXX_3.4.32"], unsatisfied.Select(n => n.Version));

        SymbolVersionPatcher.Weaken(copy, unsatisfied);
        var after = File.ReadAllBytes(copy);
        Assert.Equal(before.Length, after.Length);
        var changed = Enumerable.Range(0, before.Length).Where(i => before[i] != after[i]).ToList();
        Assert.Single(changed); // one byte: the low byte of vna_flags
        Assert.Equal(unsatisfied[0].FlagsOffset, changed[0]);
        Assert.True(ElfVersionNeeds.ReadNeeds(copy).Single(n => n.Version == "GLIBCXX_3.4.32").Weak);
        Assert.Empty(SymbolVersionPatcher.UnsatisfiedNeeds(copy, SymbolVersionPatcher.LocateSystemLibrary));
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));

        // The patched copy loads: give it its libtorch siblings so $ORIGIN resolves.
        var nativeDir = Path.GetDirectoryName(LoadedLibTorchSharp())!;
        foreach (var dep in Directory.GetFiles(nativeDir).Where(f => !f.EndsWith("libLibTorchSharp.so", StringComparison.Ordinal)))
            File.CreateSymbolicLink(Path.Combine(_dir, Path.GetFileName(dep)), dep);
        Assert.True(NativeLibrary.TryLoad(copy, out var handle));
        Assert.True(NativeLibrary.TryGetExport(handle, "THSTorch_manual_seed", out var seedFunction));
        Assert.NotEqual(IntPtr.Zero, seedFunction);
    }

    [Fact]
    public void Refuses_to_weaken_a_version_that_guards_real_symbols()
    {
        var need = new VersionNeed("libstdc++.so.6", "GLIBCXX_9.9", 42, false, 0, ["_ZNSt6vectorIiSaIiEE9push_backERKi"]);
        var file = Path.Combine(_dir, "lib.so");
        File.WriteAllBytes(file, new byte[16]);
        var e = Assert.Throws<PlatformNotSupportedException>(() => SymbolVersionPatcher.Weaken(file, [need]));
        Assert.Contains("GLIBCXX_9.9", e.Message);
        Assert.Contains("push_back", e.Message);
    }

    [Fact]
    public void Rejects_a_file_that_is_not_elf()
    {
        var file = Path.Combine(_dir, "not-elf.so");
        File.WriteAllText(file, "this is text, not a shared object, padded to be long enough for a header check........");
        var e = Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.ReadNeeds(file));
        Assert.Contains(file, e.Message);
    }

    [Fact]
    public void Torch_runs_after_the_bootstrap()
    {
        TorchRuntime.EnsureNativeLoaded();
        using var a = ones(3, 4);
        using var b = ones(4, 2);
        using var c = matmul(a, b);
        Assert.Equal(24f, c.sum().item<float>());
        Assert.DoesNotContain("failed", TorchRuntime.NativeStatus);
    }

    static string NuGetPackageRoot() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES")
        ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
}
