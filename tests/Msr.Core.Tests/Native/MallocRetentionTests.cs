using Msr.Core.Native;
using Xunit;

namespace Msr.Core.Tests.Native;

public sealed class MallocRetentionTests
{
    [Fact]
    public void Without_user_settings_freed_memory_is_kept_for_reuse()
    {
        var (apply, reason) = MallocRetention.Decide(_ => null);
        Assert.True(apply);
        Assert.Contains("kept for reuse", reason);
        Assert.Contains("no fresh mappings", reason);
    }

    [Theory]
    [InlineData("MALLOC_TRIM_THRESHOLD_")]
    [InlineData("MALLOC_MMAP_THRESHOLD_")]
    [InlineData("GLIBC_TUNABLES")]
    public void A_users_glibc_tunable_wins_and_is_named(string variable)
    {
        var (apply, reason) = MallocRetention.Decide(name => name == variable ? "131072" : null);
        Assert.False(apply);
        Assert.Contains(variable, reason);
        Assert.Contains("set by the user", reason);
    }

    [Theory]
    [InlineData("glibc", false, "MSR_MALLOC=glibc")]
    [InlineData("GLIBC", false, "MSR_MALLOC=glibc")]
    [InlineData("keep", true, "kept for reuse")]
    [InlineData("sometimes", false, "'sometimes' is not a choice; use keep or glibc")]
    public void Msrs_own_switch_decides_first(string value, bool apply, string reasonPart)
    {
        var decision = MallocRetention.Decide(name => name == "MSR_MALLOC" ? value : null);
        Assert.Equal(apply, decision.Apply);
        Assert.Contains(reasonPart, decision.Reason);
    }

    [Fact]
    public void The_bootstrap_reports_its_choice()
    {
        TorchRuntime.EnsureNativeLoaded();
        if (!OperatingSystem.IsLinux()) return;
        Assert.StartsWith("malloc:", TorchRuntime.MallocChoice);
        Assert.Contains(TorchRuntime.MallocChoice, TorchRuntime.NativeStatus);
    }
}
