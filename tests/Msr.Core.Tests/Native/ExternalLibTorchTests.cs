using Msr.Core.Native;
using Xunit;

namespace Msr.Core.Tests.Native;

/// <summary>
/// The MSR_LIBTORCH loader's checks, on the CPU libtorch that ships with the build (a fitting install) and on
/// partial or foreign installs (refused before anything loads). Loading itself is not repeated in-process:
/// libtorch is already loaded here.
/// </summary>
public sealed class ExternalLibTorchTests
{
    static string LibTorchSharp => TorchRuntime.LocateLibTorchSharp() ?? throw new InvalidOperationException("no libLibTorchSharp.so in the build output");
    static string BundledFolder => Path.GetDirectoryName(LibTorchSharp)!;

    [Fact]
    public void LibTorchSharp_needs_unversioned_symbols_that_the_bundled_libtorch_defines()
    {
        var symbols = ElfDynamicSymbols.Read(LibTorchSharp);
        Assert.True(symbols.UndefinedUnversioned.Count > 100, $"{symbols.UndefinedUnversioned.Count} needed symbols");
        // System symbols are versioned (GLIBC_, GLIBCXX_) and so not among those asked of libtorch.
        Assert.DoesNotContain("malloc", symbols.UndefinedUnversioned);
        Assert.Empty(ExternalLibTorch.MissingSymbols(LibTorchSharp, ExternalLibTorch.Libraries(BundledFolder)));
    }

    [Fact]
    public void Libraries_come_in_load_order_and_a_folder_without_libtorch_is_refused_by_name()
    {
        var libraries = ExternalLibTorch.Libraries(BundledFolder).Select(Path.GetFileName).ToList();
        Assert.Equal(["libc10.so", "libtorch_cpu.so", "libtorch.so"], libraries);
        using var empty = new TempFolder();
        var e = Assert.Throws<InvalidOperationException>(() => ExternalLibTorch.Libraries(empty.Path));
        Assert.Equal($"MSR_LIBTORCH: '{empty.Path}' is not a libtorch folder: libc10.so, libtorch_cpu.so, libtorch.so missing", e.Message);
        var gone = Assert.Throws<InvalidOperationException>(() => ExternalLibTorch.Libraries(Path.Combine(empty.Path, "nope")));
        Assert.Contains("does not exist", gone.Message);
    }

    [Fact]
    public void An_install_lacking_symbols_is_refused_before_loading_naming_some()
    {
        // c10 alone defines only part of what LibTorchSharp needs.
        var missing = ExternalLibTorch.MissingSymbols(LibTorchSharp, [Path.Combine(BundledFolder, "libc10.so")]);
        Assert.NotEmpty(missing);
        using var partial = new TempFolder();
        foreach (var name in new[] { "libc10.so", "libtorch_cpu.so", "libtorch.so" })
            File.Copy(Path.Combine(BundledFolder, "libc10.so"), Path.Combine(partial.Path, name));
        var e = Assert.Throws<InvalidOperationException>(() => ExternalLibTorch.Load(partial.Path, LibTorchSharp));
        Assert.StartsWith($"MSR_LIBTORCH: the libtorch in '{partial.Path}' does not fit this TorchSharp", e.Message);
        Assert.Contains(missing[0], e.Message);
    }

    [Fact]
    public void An_older_pytorch_is_refused_when_one_is_installed()
    {
        // Debian 12's python3-torch is 1.13: far older than TorchSharp 0.107's libtorch 2.10.
        const string debian = "/usr/lib/python3/dist-packages/torch/lib";
        if (!File.Exists(Path.Combine(debian, "libtorch_cpu.so"))) return;
        var e = Assert.Throws<InvalidOperationException>(() => ExternalLibTorch.Load(debian, LibTorchSharp));
        Assert.Contains("does not fit this TorchSharp", e.Message);
    }

    sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("msr-libtorch-").FullName;
        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
