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
/// <para>By default (<c>MSR_MALLOC=keep</c>) this sets the mmap threshold to glibc's maximum, 32 MiB, and the trim
/// threshold to <see cref="TrimThresholdBytes"/>, so that blocks up to 32 MiB are reused from the heap and up to that
/// much freed memory stays with the process. Larger blocks are still mapped afresh and returned when freed.</para>
/// <para><c>MSR_MALLOC=all</c> also turns fresh mappings off (<c>M_MMAP_MAX</c> 0) and pads each heap growth by
/// <see cref="TopPadBytes"/>, so that M2M's 268 MB attention maps are reused too: its training step went from 22.9 to
/// 4.1-4.9 s on the same machine. It is not the default because the heap then keeps every freed block and fragments:
/// an M2M training process grew from 5.5 GB to 8.7-10.2 GB over a run, and three such processes side by side were
/// killed for memory on a 23 GB machine.</para>
/// <para><c>MSR_MALLOC=glibc</c> leaves glibc's defaults (for a program that references Msr.Core and wants its
/// allocator left alone), and so does any <c>MALLOC_*_</c> tunable or <c>GLIBC_TUNABLES</c> of the user's (read by
/// glibc at start): Msr then changes nothing.</para>
/// </remarks>
public static class MallocRetention
{
    /// <summary>glibc's largest mmap threshold on 64-bit systems (DEFAULT_MMAP_THRESHOLD_MAX).</summary>
    public const int MmapThresholdBytes = 32 * 1024 * 1024;

    /// <summary>Freed memory kept at the heap's top before glibc returns it to the kernel (mallopt takes an int: 2 GiB − 1).</summary>
    public const int TrimThresholdBytes = int.MaxValue;

    /// <summary>Extra memory taken whenever the heap grows, so that a growing step asks the kernel less often.</summary>
    public const int TopPadBytes = 256 * 1024 * 1024;

    /// <summary>glibc's environment tunables that, when set, mean the user chose the allocator's behaviour.</summary>
    public static readonly string[] UserVariables =
        ["MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_", "MALLOC_MMAP_MAX_", "GLIBC_TUNABLES"];

    const int M_TRIM_THRESHOLD = -1, M_TOP_PAD = -2, M_MMAP_THRESHOLD = -3, M_MMAP_MAX = -4;

    /// <summary>Msr's own switch: <c>keep</c> (or unset), <c>all</c> or <c>glibc</c> (see remarks).</summary>
    public const string SwitchVariable = "MSR_MALLOC";

    /// <summary>What to set: nothing (<see cref="Mode.Glibc"/>) where the user set one of <see cref="UserVariables"/>
    /// (named in the reason) or <see cref="SwitchVariable"/>=glibc, or an unknown value (named, with the choices).</summary>
    public static (Mode Mode, string Reason) Decide(Func<string, string?> environment)
    {
        var mode = Mode.Keep;
        switch (environment(SwitchVariable)?.Trim().ToLowerInvariant())
        {
            case null or "" or "keep": break;
            case "all": mode = Mode.All; break;
            case "glibc": return (Mode.Glibc, $"malloc: glibc's defaults ({SwitchVariable}=glibc)");
            case var other:
                return (Mode.Glibc, $"malloc: glibc's defaults ({SwitchVariable}='{other}' is not a choice; use keep, all or glibc)");
        }
        var set = UserVariables.Where(v => !string.IsNullOrEmpty(environment(v))).ToArray();
        if (set.Length > 0) return (Mode.Glibc, $"malloc: glibc's defaults with {string.Join(", ", set)} (set by the user)");
        return mode == Mode.Keep
            ? (mode, $"malloc: freed blocks up to {Mib(MmapThresholdBytes)} kept for reuse (trim threshold {Mib(TrimThresholdBytes)})")
            : (mode, $"malloc: every freed block kept for reuse ({SwitchVariable}=all: no fresh mappings, trim threshold {Mib(TrimThresholdBytes)}, top pad {Mib(TopPadBytes)})");
    }

    /// <summary>What Msr sets: glibc's blocks up to 32 MiB kept (default), every block kept, or nothing.</summary>
    public enum Mode { Keep, All, Glibc }

    /// <summary>Applies the decision; the reason says what took effect (or that this C library has no <c>mallopt</c>).</summary>
    public static string Apply()
    {
        var (mode, reason) = Decide(Environment.GetEnvironmentVariable);
        if (mode == Mode.Glibc) return reason;
        try
        {
            // mallopt returns 1 on success, 0 on error.
            bool applied = mode == Mode.Keep
                ? mallopt(M_MMAP_THRESHOLD, MmapThresholdBytes) == 1 && mallopt(M_TRIM_THRESHOLD, TrimThresholdBytes) == 1
                : mallopt(M_MMAP_MAX, 0) == 1 && mallopt(M_TRIM_THRESHOLD, TrimThresholdBytes) == 1 && mallopt(M_TOP_PAD, TopPadBytes) == 1;
            if (applied) return reason;
            return "malloc: glibc's defaults (mallopt refused the thresholds)";
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return "malloc: the C library's defaults (no glibc mallopt here)";
        }
    }

    /// <summary>Whole MiB, rounded: <see cref="TrimThresholdBytes"/> (2 GiB − 1 byte) reads as 2048 MiB.</summary>
    static string Mib(int bytes) => Math.Round(bytes / (1024.0 * 1024.0)).ToString(CultureInfo.InvariantCulture) + " MiB";

    [DllImport("libc", EntryPoint = "mallopt")]
    static extern int mallopt(int param, int value);
}
