using System.Globalization;
using System.Runtime.InteropServices;

namespace Msr.Core.Native;

/// <summary>
/// Keeps freed tensor memory in the process for reuse instead of returning it to the kernel, so that a training or
/// inference step does not fault its large intermediates in afresh every time (glibc only; set once per process).
/// </summary>
/// <remarks>
/// <para>libtorch's CPU allocator takes every tensor from glibc's malloc. By default glibc serves a block above its
/// mmap threshold (128 KiB at start, raised as blocks are freed, at most 32 MiB) with a fresh mapping that it unmaps
/// on free, and trims the heap's top back to the kernel once more than twice that threshold is free. A step that
/// allocates and frees the same tens of megabytes each time (HAMUR's hyper-network output is 4,096 × 1,225 floats,
/// 20 MB, three times per forward) then pays a page fault per 4 KiB page on every step: on the virtual machines Msr
/// was measured on, that made HAMUR's hyper-network forward 37-39 ms instead of 6.5-7.5 ms (docs/performance.md).</para>
/// <para>This sets the mmap threshold to glibc's maximum (32 MiB; larger blocks are always mapped afresh) and the trim
/// threshold to <see cref="TrimThresholdBytes"/>, so that up to that much freed memory stays with the process. The
/// cost is memory: a process may hold that much more resident than it uses at the moment. A user who set any of
/// glibc's <c>MALLOC_*_</c> tunables (read by glibc at start) keeps them: Msr then changes nothing.</para>
/// </remarks>
public static class MallocRetention
{
    /// <summary>glibc's largest mmap threshold on 64-bit systems (DEFAULT_MMAP_THRESHOLD_MAX).</summary>
    public const int MmapThresholdBytes = 32 * 1024 * 1024;

    /// <summary>Freed memory kept at the heap's top before glibc returns it to the kernel.</summary>
    public const int TrimThresholdBytes = 1024 * 1024 * 1024;

    /// <summary>glibc's environment tunables that, when set, mean the user chose the allocator's behaviour.</summary>
    public static readonly string[] UserVariables =
        ["MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_", "MALLOC_MMAP_MAX_", "GLIBC_TUNABLES"];

    const int M_TRIM_THRESHOLD = -1, M_MMAP_THRESHOLD = -3;

    /// <summary>What to do: nothing where the user set one of <see cref="UserVariables"/> (named in the reason).</summary>
    public static (bool Apply, string Reason) Decide(Func<string, string?> environment)
    {
        var set = UserVariables.Where(v => !string.IsNullOrEmpty(environment(v))).ToArray();
        return set.Length > 0
            ? (false, $"malloc: glibc's defaults with {string.Join(", ", set)} (set by the user)")
            : (true, $"malloc: freed memory kept for reuse (mmap threshold {Mib(MmapThresholdBytes)}, trim threshold {Mib(TrimThresholdBytes)})");
    }

    /// <summary>Applies the decision; the reason says what took effect (or that this C library has no <c>mallopt</c>).</summary>
    public static string Apply()
    {
        var (apply, reason) = Decide(Environment.GetEnvironmentVariable);
        if (!apply) return reason;
        try
        {
            // mallopt returns 1 on success, 0 on error.
            if (mallopt(M_MMAP_THRESHOLD, MmapThresholdBytes) == 1 && mallopt(M_TRIM_THRESHOLD, TrimThresholdBytes) == 1)
                return reason;
            return "malloc: glibc's defaults (mallopt refused the thresholds)";
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return "malloc: the C library's defaults (no glibc mallopt here)";
        }
    }

    static string Mib(int bytes) => (bytes / (1024 * 1024)).ToString(CultureInfo.InvariantCulture) + " MiB";

    [DllImport("libc", EntryPoint = "mallopt")]
    static extern int mallopt(int param, int value);
}
