using Msr.Core.Native;
using Xunit;
using Mode = Msr.Core.Native.MallocRetention.Mode;

namespace Msr.Core.Tests.Native;

public sealed class MallocRetentionTests
{
    [Fact]
    public void Without_user_settings_blocks_up_to_the_mmap_threshold_are_kept_for_reuse()
    {
        var (mode, reason) = MallocRetention.Decide(_ => null);
        Assert.Equal(Mode.Keep, mode);
        Assert.Contains("freed blocks up to 32 MiB kept for reuse", reason);
    }

    [Theory]
    [InlineData("MALLOC_TRIM_THRESHOLD_")]
    [InlineData("MALLOC_MMAP_THRESHOLD_")]
    [InlineData("GLIBC_TUNABLES")]
    public void A_users_glibc_tunable_wins_and_is_named(string variable)
    {
        var (mode, reason) = MallocRetention.Decide(name => name == variable ? "131072" : null);
        Assert.Equal(Mode.Glibc, mode);
        Assert.Contains(variable, reason);
        Assert.Contains("set by the user", reason);
    }

    [Theory]
    [InlineData("glibc", Mode.Glibc, "MSR_MALLOC=glibc")]
    [InlineData("GLIBC", Mode.Glibc, "MSR_MALLOC=glibc")]
    [InlineData("keep", Mode.Keep, "up to 32 MiB kept")]
    [InlineData("all", Mode.All, "every freed block kept for reuse (MSR_MALLOC=all: no fresh mappings")]
    [InlineData("sometimes", Mode.Glibc, "'sometimes' is not a choice; use keep, all or glibc")]
    public void Msrs_own_switch_decides_first(string value, Mode expected, string reasonPart)
    {
        var (mode, reason) = MallocRetention.Decide(name => name == "MSR_MALLOC" ? value : null);
        Assert.Equal(expected, mode);
        Assert.Contains(reasonPart, reason);
    }

    [Fact]
    public void A_users_glibc_tunable_wins_over_msr_malloc_all()
    {
        var (mode, _) = MallocRetention.Decide(name => name switch { "MSR_MALLOC" => "all", "MALLOC_TOP_PAD_" => "0", _ => null });
        Assert.Equal(Mode.Glibc, mode);
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
