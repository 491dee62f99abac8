using System.Diagnostics;
using Msr.Core.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Msr.Core.Training;

/// <summary>
/// Where a run computes: <c>cpu</c>, <c>cuda</c> (<c>cuda:N</c>) or <c>auto</c> (CUDA when a GPU is usable, else the CPU).
/// Asking for CUDA where none is usable is an error that says why, never a silent fall-back.
/// </summary>
public static class ComputeDevice
{
    public static IReadOnlyList<string> Choices { get; } = ["cpu", "cuda", "auto"];

    public static Device Resolve(string name)
    {
        var key = name.Trim().ToLowerInvariant();
        if (key == "cpu") return CPU;
        TorchRuntime.EnsureNativeLoaded();
        bool usable = cuda.is_available();
        if (key == "auto") return usable ? CUDA : CPU;
        if (key == "cuda" || key.StartsWith("cuda:", StringComparison.Ordinal))
        {
            if (!usable)
                throw new ArgumentException(
                    $"device '{name}': no CUDA device is usable by this build (it loads the CPU libtorch unless built with " +
                    $"-p:MsrTorchBackend=cuda or pointed at an installed PyTorch with {ExternalLibTorch.Variable}=<torch/lib> or =python; see docs/performance.md)");
            var device = new Device(key);
            if (device.index >= cuda.device_count())
                throw new ArgumentException($"device '{name}': there are {cuda.device_count()} CUDA device(s)");
            return device;
        }
        throw new ArgumentException($"device '{name}' is unknown; valid devices: cpu, cuda, cuda:N, auto");
    }

    /// <summary>What really ran, for the run record: <c>cpu</c>, or the CUDA device with the GPU's name and the libtorch it used.</summary>
    public static string Describe(Device device)
    {
        if (device.type != DeviceType.CUDA) return "cpu";
        var parts = new List<string>();
        if (GpuName(Math.Max(0, device.index)) is { } gpu) parts.Add(gpu);
        parts.Add("libtorch " + LibTorchVersion());
        return $"cuda:{Math.Max(0, device.index)} ({string.Join(", ", parts)})";
    }

    /// <summary>The PyTorch version of an external libtorch (its <c>version.py</c>), else the one TorchSharp ships.</summary>
    static string LibTorchVersion()
    {
        if (ExternalLibTorch.RequestedFolder(() => null) is { } folder)
        {
            var versionFile = Path.Combine(folder, "..", "version.py");
            if (File.Exists(versionFile))
                foreach (var line in File.ReadLines(versionFile))
                    if (line.StartsWith("__version__", StringComparison.Ordinal))
                        return line.Split('=', 2)[1].Trim().Trim('\'', '"') + " (" + folder + ")";
            return "from " + folder;
        }
        return "bundled with TorchSharp " + typeof(TorchSharp.torch).Assembly.GetName().Version;
    }

    static string? GpuName(int index)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("nvidia-smi", ["--query-gpu=name", "--format=csv,noheader", "-i", index.ToString()])
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            });
            if (process is null) return null;
            var name = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            return process.ExitCode == 0 && name.Length > 0 ? name : null;
        }
        catch (System.ComponentModel.Win32Exception) { return null; }
    }
}
