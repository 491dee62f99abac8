using Msr.Core.Results;
using Xunit;

namespace Msr.Core.Tests.Results;

public sealed class RunLeaseTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("msr-lease-").FullName;
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_held_run_cannot_be_claimed_twice_and_is_free_again_after_release()
    {
        var first = RunLease.TryAcquire(_dir, "run-a", Timeout);
        Assert.NotNull(first);
        Assert.Null(RunLease.TryAcquire(_dir, "run-a", Timeout));
        Assert.NotNull(RunLease.TryAcquire(_dir, "run-b", Timeout)?.Also(l => l.Dispose()));
        Assert.True(first!.StillHeld());
        first.Dispose();
        Assert.False(File.Exists(RunLease.PathOf(_dir, "run-a")));
        using var again = RunLease.TryAcquire(_dir, "run-a", Timeout);
        Assert.NotNull(again);
    }

    [Fact]
    public void Of_many_concurrent_claimants_exactly_one_wins()
    {
        var leases = new RunLease?[16];
        Parallel.For(0, leases.Length, i => leases[i] = RunLease.TryAcquire(_dir, "contended", Timeout));
        Assert.Single(leases, l => l is not null);
        foreach (var l in leases) l?.Dispose();
    }

    [Fact]
    public void An_expired_lease_is_taken_over_once_and_its_old_holder_learns_it_lost()
    {
        using var dead = RunLease.TryAcquire(_dir, "run", TimeSpan.FromHours(1))!; // heartbeat far away: a frozen holder
        var path = RunLease.PathOf(_dir, "run");
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow - TimeSpan.FromMinutes(10));
        var takers = new RunLease?[8];
        Parallel.For(0, takers.Length, i => takers[i] = RunLease.TryAcquire(_dir, "run", TimeSpan.FromMinutes(1)));
        var winner = Assert.Single(takers, l => l is not null)!;
        Assert.False(dead.StillHeld());
        Assert.True(winner.StillHeld());
        Assert.Empty(Directory.GetFiles(_dir, "*.takeover"));
        dead.Dispose(); // must not delete the new holder's lease
        Assert.True(File.Exists(path));
        winner.Dispose();
    }

    [Fact]
    public void The_heartbeat_keeps_a_live_lease_fresh_and_notices_a_loss()
    {
        // Generous timings: on a loaded 2-core machine a heartbeat thread can be late by a few hundred ms.
        var timeout = TimeSpan.FromSeconds(2);
        using var lease = RunLease.TryAcquire(_dir, "run", timeout)!;
        var path = RunLease.PathOf(_dir, "run");
        Thread.Sleep(4500);
        Assert.True(RunLease.Inspect(path).Age < timeout, "renewed while held");
        Assert.Null(RunLease.TryAcquire(_dir, "run", timeout));
        File.WriteAllText(path, "someone-else\n");
        Assert.True(lease.Lost.WaitHandle.WaitOne(TimeSpan.FromSeconds(5)), "loss noticed");
    }
}

static class LeaseTestExtensions
{
    public static T Also<T>(this T value, Action<T> action)
    {
        action(value);
        return value;
    }
}
