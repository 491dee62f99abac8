using System.Globalization;
using System.Runtime.InteropServices;

namespace Msr.Core.Native;

/// <summary>
/// How libtorch's OpenMP threads wait for the next parallel region, chosen once per process before libgomp loads
/// (it reads its environment only then).
/// </summary>
/// <remarks>
/// <para>A training step is hundreds of parallel regions. Between them, a passive thread sleeps on a futex and takes
/// tens of microseconds to wake; on an idle 2-core machine that doubled SharedBottom's step (17 against 9 ms,
/// docs/performance.md, "OpenMP waiting"). A spinning thread wakes at once but burns its core: when another process
/// wants that core, spinning threads starve each other (the same step took 66 ms with a bounded spin of 10,000 and a
/// busy second core, against 15.5 ms passive).</para>
/// <para>So Msr spins briefly (<see cref="SpinCount"/>, about 0.1 ms) when the machine is idle at start and waits
/// passively when other processes already keep a core busy. The check cannot see a process started later; a
/// user who shares the machine sets <c>OMP_WAIT_POLICY=PASSIVE</c> (or any <c>GOMP_SPINCOUNT</c>), which always
/// wins. Waiting changes only scheduling, never a computed number.</para>
/// </remarks>
public static class OpenMpWaiting
{
    /// <summary>libgomp's spins before sleeping in bounded-spin mode (it estimates 100,000 spins per millisecond).</summary>
    public const long SpinCount = 10_000;

    /// <summary>Other processes' CPU use, in cores, at or above which Msr waits passively.</summary>
    public const double BusyCoresThreshold = 0.5;

    /// <summary>How long <see cref="MeasureOtherBusyCores"/> samples /proc/stat.</summary>
    public static readonly TimeSpan SampleWindow = TimeSpan.FromMilliseconds(100);

    /// <summary>What to set and why: <paramref name="Variable"/> = <paramref name="Value"/>, or nothing (null) when the user chose.</summary>
    public sealed record Decision(string? Variable, string? Value, string Reason);

    /// <summary>
    /// The choice, from the user's own settings and the CPU use of other processes (null where it could not be measured,
    /// which keeps the cautious passive waiting).
    /// </summary>
    public static Decision Decide(string? userWaitPolicy, string? userSpinCount, double? otherBusyCores)
    {
        if (!string.IsNullOrEmpty(userSpinCount))
            return new(null, null, $"OpenMP waiting: GOMP_SPINCOUNT={userSpinCount} (set by the user)");
        if (!string.IsNullOrEmpty(userWaitPolicy))
            return new(null, null, $"OpenMP waiting: OMP_WAIT_POLICY={userWaitPolicy} (set by the user)");
        if (otherBusyCores is not { } busy)
            return new("OMP_WAIT_POLICY", "PASSIVE", "OpenMP waiting: passive (other processes' CPU use not measurable here)");
        var used = busy.ToString("0.00", CultureInfo.InvariantCulture);
        return busy >= BusyCoresThreshold
            ? new("OMP_WAIT_POLICY", "PASSIVE", $"OpenMP waiting: passive (other processes used {used} cores at start)")
            : new("GOMP_SPINCOUNT", SpinCount.ToString(CultureInfo.InvariantCulture),
                $"OpenMP waiting: spin {SpinCount} then sleep (other processes used {used} cores at start)");
    }

    /// <summary>
    /// Decides and sets the native environment for libgomp (which must not be loaded yet); measures other processes'
    /// CPU use only where the user set neither variable.
    /// </summary>
    /// <returns>The decision, whose reason the bootstrap reports in <see cref="TorchRuntime.NativeStatus"/>.</returns>
    public static Decision Apply()
    {
        string? policy = Environment.GetEnvironmentVariable("OMP_WAIT_POLICY");
        string? spin = Environment.GetEnvironmentVariable("GOMP_SPINCOUNT");
        bool userChose = !string.IsNullOrEmpty(policy) || !string.IsNullOrEmpty(spin);
        var decision = Decide(policy, spin, userChose ? null : MeasureOtherBusyCores());
        // libgomp reads the C environment, not .NET's copy of it.
        if (decision.Variable is { } name) _ = setenv(name, decision.Value!, 0);
        return decision;
    }

    [DllImport("libc", SetLastError = true)]
    static extern int setenv(string name, string value, int overwrite);

    /// <summary>
    /// Cores kept busy by other processes over <see cref="SampleWindow"/>: the machine's busy time from /proc/stat
    /// minus this process's own CPU time, per second of wall time. Null where /proc is unreadable.
    /// </summary>
    public static double? MeasureOtherBusyCores()
    {
        try
        {
            var (busy0, own0) = (MachineBusySeconds(), OwnCpuSeconds());
            var clock = System.Diagnostics.Stopwatch.StartNew();
            Thread.Sleep(SampleWindow);
            var (busy1, own1) = (MachineBusySeconds(), OwnCpuSeconds());
            // Ticks are 10 ms, so a 100 ms sample of a saturated machine can read a few tenths above its core count.
            return Math.Clamp(((busy1 - busy0) - (own1 - own0)) / clock.Elapsed.TotalSeconds, 0, Environment.ProcessorCount);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>Linux reports /proc/stat times in USER_HZ ticks, 100 per second on every supported architecture.</summary>
    const double TicksPerSecond = 100;

    /// <summary>Columns of the first line of /proc/stat (cpu user nice system idle iowait irq softirq steal [guest guest_nice])
    /// that count as busy: all but idle and iowait, and without guest time, already in user. Steal counts as busy: a virtual
    /// core the hypervisor hands to another guest is no more free to spin on than one another process uses.</summary>
    static readonly int[] BusyColumns = [1, 2, 3, 6, 7, 8];

    /// <summary>All CPUs' busy time since boot, in CPU-seconds.</summary>
    static double MachineBusySeconds()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return BusyColumns.Sum(i => long.Parse(fields[i], CultureInfo.InvariantCulture)) / TicksPerSecond;
    }

    /// <summary>This process's user + system CPU time, in seconds.</summary>
    static double OwnCpuSeconds()
    {
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        return self.TotalProcessorTime.TotalSeconds;
    }
}
