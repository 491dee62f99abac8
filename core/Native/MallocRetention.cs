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
/// <para>This turns glibc's fresh mappings off (<c>M_MMAP_MAX</c> 0: every block comes from the heap, where a freed
/// block is reused; glibc cannot raise its mmap threshold above 32 MiB, and M2M's attention maps are 268 MB each)
/// and sets the trim threshold to <see cref="TrimThresholdBytes"/>, so that up to that much freed memory stays with
/// the process. On the same machine M2M's training step went from 22.9 to 4.7 s. The cost is memory: a process may
/// hold that much more resident than it uses at the moment, and a freed block in the middle of the heap is reused,
/// not returned (M2M's peak 5.5 → 8.7 GB; three M2M processes side by side were killed for memory on a 23 GB
/// machine). A user who set any of glibc's <c>MALLOC_*_</c> tunables or <c>GLIBC_TUNABLES</c> (read by glibc at
/// start) keeps them, and <c>MSR_MALLOC=glibc</c> keeps glibc's defaults (for a program that references Msr.Core and
/// wants its allocator left alone, or a machine short of memory): Msr then changes nothing.</para>
/// </remarks>
public static class MallocRetention
{
    /// <summary>Freed memory kept at the heap's top before glibc returns it to the kernel (mallopt takes an int: 2 GiB − 1).</summary>
    public const int TrimThresholdBytes = int.MaxValue;

    /// <summary>Extra memory taken whenever the heap grows, so that a growing step asks the kernel less often.</summary>
    public const int TopPadBytes = 256 * 1024 * 1024;

    /// <summary>glibc's environment tunables that, when set, mean the user chose the allocator's behaviour.</summary>
    public static readonly string[] UserVariables =
        ["MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_", "MALLOC_MMAP_MAX_", "GLIBC_TUNABLES"];

    const int M_TRIM_THRESHOLD = -1, M_TOP_PAD = -2, M_MMAP_MAX = -4;

    /// <summary>Msr's own switch: <c>glibc</c> leaves glibc's defaults, <c>keep</c> (or unset) keeps freed memory.</summary>
    public const string SwitchVariable = "MSR_MALLOC";

    /// <summary>What to do: nothing where the user set one of <see cref="UserVariables"/> (named in the reason) or
    /// <see cref="SwitchVariable"/>=glibc.</summary>
    public static (bool Apply, string Reason) Decide(Func<string, string?> environment)
    {
        switch (environment(SwitchVariable)?.Trim().ToLowerInvariant())
        {
            case null or "" or "keep": break;
            case "glibc": return (false, $"malloc: glibc's defaults ({SwitchVariable}=glibc)");
            case var other:
                return (false, $"malloc: glibc's defaults ({SwitchVariable}='{other}' is not a choice; use keep or glibc)");
        }
        var set = UserVariables.Where(v => !string.IsNullOrEmpty(environment(v))).ToArray();
        return set.Length > 0
            ? (false, $"malloc: glibc's defaults with {string.Join(", ", set)} (set by the user)")
            : (true, $"malloc: freed memory kept for reuse (no fresh mappings, trim threshold {Mib(TrimThresholdBytes)}, top pad {Mib(TopPadBytes)})");
    }

    /// <summary>Applies the decision; the reason says what took effect (or that this C library has no <c>mallopt</c>).</summary>
    public static string Apply()
    {
        var (apply, reason) = Decide(Environment.GetEnvironmentVariable);
        if (!apply) return reason;
        try
        {
            // mallopt returns 1 on success, 0 on error.
            if (mallopt(M_MMAP_MAX, 0) == 1 && mallopt(M_TRIM_THRESHOLD, TrimThresholdBytes) == 1 && mallopt(M_TOP_PAD, TopPadBytes) == 1)
                return reason;
            return "malloc: glibc's defaults (mallopt refused the thresholds)";
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return "malloc: the C library's defaults (no glibc mallopt here)";
        }
    }

    static string Mib(int bytes) => ((bytes + 1L) / (1024 * 1024)).ToString(CultureInfo.InvariantCulture) + " MiB";

    [DllImport("libc", EntryPoint = "mallopt")]
    static extern int mallopt(int param, int value);
}
