using Msr.Core.Experiments;
using Msr.Core.Training;
using Xunit;
using static TorchSharp.torch;

namespace Msr.Core.Tests.Training;

public sealed class ComputeDeviceTests
{
    [Fact]
    public void Cpu_and_auto_resolve_here_and_unknown_names_list_the_valid_ones()
    {
        Assert.Equal(TorchSharp.DeviceType.CPU, ComputeDevice.Resolve("cpu").type);
        var auto = ComputeDevice.Resolve("auto");
        Assert.Equal(cuda.is_available() ? TorchSharp.DeviceType.CUDA : TorchSharp.DeviceType.CPU, auto.type);
        var e = Assert.Throws<ArgumentException>(() => ComputeDevice.Resolve("tpu"));
        Assert.Equal("device 'tpu' is unknown; valid devices: cpu, cuda, cuda:N, auto", e.Message);
    }

    [Fact]
    public void Asking_for_cuda_without_a_usable_gpu_says_how_to_get_one()
    {
        if (cuda.is_available()) return;   // on a GPU machine this is the normal path, exercised by the device script
        var e = Assert.Throws<ArgumentException>(() => ComputeDevice.Resolve("cuda"));
        Assert.Contains("no CUDA device is usable", e.Message);
        Assert.Contains("MSR_LIBTORCH", e.Message);
    }

    [Fact]
    public void A_run_records_where_it_computed_and_a_cuda_request_without_gpu_is_a_failed_run_not_a_silent_cpu_run()
    {
        using var data = TestData.LoadSynthetic(("rows", "600"));
        Msr.Core.Results.RunRecord RunRecord(string device) => ExperimentRunner.Run(new RunSpec("synthetic", null, new Dictionary<string, string> { ["rows"] = "600" },
            "SharedBottom", new Dictionary<string, string>(), new Dictionary<string, string> { ["epochs"] = "1", ["device"] = device }, 1), data);
        var auto = RunRecord("auto");
        Assert.True(auto.IsCompleted, auto.Error);
        Assert.Equal(cuda.is_available() ? "cuda:0" : "cpu", auto.Environment.Device.Split(' ')[0]);
        Assert.Equal("auto", auto.Config.Trainer.Device);
        if (!cuda.is_available())
        {
            var gpu = RunRecord("cuda");
            Assert.False(gpu.IsCompleted);
            Assert.Contains("no CUDA device is usable", gpu.Error);
        }
        Assert.Contains("option 'device'", Assert.Single(TrainerOptions.Problems([KeyValuePair.Create("device", "gpu")])));
    }
}
