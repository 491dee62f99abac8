namespace Msr.Core.Features;

/// <summary>
/// Per-user behaviour histories from a timestamped log: for each event, the items of the same user's last
/// <c>length</c> events that happened <b>strictly before</b> it (an event never sees itself, a later event or an event
/// with the same timestamp, so there is no leakage through the history). Ids are the item ids + 1 so that 0 pads;
/// each history is chronological and right-aligned (left-padded).
/// </summary>
public static class BehaviorSequences
{
    /// <summary>
    /// Builds the (N × <paramref name="length"/>) row-major history matrix.
    /// </summary>
    /// <param name="users">User id per event.</param>
    /// <param name="items">Item id per event (≥ 0).</param>
    /// <param name="timestamps">Time per event (any monotone unit).</param>
    /// <param name="length">History length L.</param>
    /// <param name="include">Which earlier events enter histories (e.g. only clicks); null = all.</param>
    public static long[] Build(ReadOnlySpan<long> users, ReadOnlySpan<long> items, ReadOnlySpan<double> timestamps, int length, Func<int, bool>? include = null)
    {
        if (length < 1) throw new ArgumentOutOfRangeException(nameof(length), "history length must be >= 1");
        int n = users.Length;
        if (items.Length != n || timestamps.Length != n) throw new ArgumentException("users, items and timestamps must be aligned");
        var result = new long[(long)n * length];
        // Events ordered by (user, time, row): each user's events are then contiguous and chronological.
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        var u = users.ToArray();
        var t = timestamps.ToArray();
        Array.Sort(order, (a, b) => u[a] != u[b] ? u[a].CompareTo(u[b]) : t[a] != t[b] ? t[a].CompareTo(t[b]) : a.CompareTo(b));

        var window = new long[length];
        int start = 0;
        while (start < n)
        {
            int end = start;
            while (end < n && u[order[end]] == u[order[start]]) end++;
            int filled = 0; // ring buffer of the last `length` included items, oldest first at (head - filled)
            int head = 0;
            int pending = start; // events before `pending` (same user, strictly earlier time) are in the window
            for (int k = start; k < end; k++)
            {
                int row = order[k];
                while (pending < k && t[order[pending]] < t[row])
                {
                    int p = order[pending++];
                    if (include is null || include(p))
                    {
                        window[head] = items[p] + 1;
                        head = (head + 1) % length;
                        if (filled < length) filled++;
                    }
                }
                long offset = (long)row * length + (length - filled);
                for (int j = 0; j < filled; j++) result[offset + j] = window[((head - filled + j) % length + length) % length];
            }
            start = end;
        }
        return result;
    }
}

/// <summary>
/// The <c>history</c> options of loaders with a timestamped log: <c>history=L</c> (0 = no history feature) and
/// <c>history_clicks_only</c> (only clicked/positive earlier events enter histories).
/// </summary>
public sealed record HistoryOptions(int Length, bool ClicksOnly)
{
    public static HistoryOptions From(Settings s) => new(s.Int("history", 0, min: 0, max: 1000), s.Bool("history_clicks_only", false));

    public bool Enabled => Length > 0;

    /// <summary>The sequence inputs for a layout: one history of <paramref name="itemColumn"/> named <c>hist_&lt;item&gt;</c>, or none.</summary>
    public IReadOnlyList<SequenceInput>? Inputs(string userColumn, string itemColumn, string timeColumn) =>
        Enabled ? [new SequenceInput($"hist_{itemColumn}", userColumn, itemColumn, timeColumn, Length, ClicksOnly)] : null;
}
