using Msr.Core.Native;
using Xunit;

namespace Msr.Core.Tests.Native;

public sealed class OpenMpWaitingTests
{
    [Fact]
    public void An_idle_machine_gets_a_bounded_spin()
    {
        var d = OpenMpWaiting.Decide(null, null, otherBusyCores: 0.1);
        Assert.Equal("GOMP_SPINCOUNT", d.Variable);
        Assert.Equal(OpenMpWaiting.SpinCount.ToString(), d.Value);
        Assert.Contains("0.10 cores", d.Reason);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(1.0)]
    [InlineData(7.3)]
    public void A_busy_core_elsewhere_gets_passive_waiting(double busy)
    {
        var d = OpenMpWaiting.Decide(null, "", busy);
        Assert.Equal(("OMP_WAIT_POLICY", "PASSIVE"), (d.Variable, d.Value));
        Assert.Contains("passive", d.Reason);
    }

    [Fact]
    public void Unmeasurable_use_keeps_the_cautious_passive_waiting()
    {
        var d = OpenMpWaiting.Decide("", null, null);
        Assert.Equal(("OMP_WAIT_POLICY", "PASSIVE"), (d.Variable, d.Value));
    }

    [Theory]
    [InlineData("ACTIVE", null)]
    [InlineData("PASSIVE", null)]
    [InlineData(null, "0")]
    [InlineData("PASSIVE", "300000")]
    public void The_users_own_setting_always_wins(string? policy, string? spin)
    {
        var d = OpenMpWaiting.Decide(policy, spin, otherBusyCores: 0.0);
        Assert.Null(d.Variable);
        Assert.Contains("set by the user", d.Reason);
        Assert.Contains(spin ?? policy!, d.Reason);
    }

    [Fact]
    public async Task Other_processes_cpu_use_is_measured_without_counting_our_own()
    {
        if (!OperatingSystem.IsLinux()) return;
        // Other processes come and go between two samples (a build server finishing, the test host's other work), so
        // one pair can differ by chance; counting our own spinner would add about one core to every pair. Up to three
        // pairs: one within the margin shows the spinner is not counted.
        var seen = new List<string>();
        for (int attempt = 0; attempt < 3; attempt++)
        {
            var quiet = OpenMpWaiting.MeasureOtherBusyCores();
            // Keep this process busy on one thread while sampling again: none of it may be counted as another process's.
            using var stop = new CancellationTokenSource();
            var spinner = Task.Run(() => { var x = 0L; while (!stop.IsCancellationRequested) x++; return x; });
            var busy = OpenMpWaiting.MeasureOtherBusyCores();
            stop.Cancel();
            await spinner;
            Assert.NotNull(quiet);
            Assert.NotNull(busy);
            Assert.InRange(busy!.Value, 0.0, Environment.ProcessorCount);
            if (busy.Value < quiet!.Value + 0.6) return;
            seen.Add($"{busy:0.00} while spinning (quiet: {quiet:0.00})");
        }
        Assert.Fail($"other processes' cores measured while this one spun, three times: {string.Join("; ", seen)}");
    }

    [Fact]
    public void The_bootstrap_reports_its_choice()
    {
        TorchRuntime.EnsureNativeLoaded();
        if (!OperatingSystem.IsLinux()) return;
        Assert.StartsWith("OpenMP waiting:", TorchRuntime.OpenMpWaitingChoice);
        Assert.Contains(TorchRuntime.OpenMpWaitingChoice, TorchRuntime.NativeStatus);
    }
}
