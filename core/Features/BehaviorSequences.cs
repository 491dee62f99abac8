using Msr.Core.Data;

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
    public static long[] Build(ReadOnlySpan<long> users, ReadOnlySpan<long> items, ReadOnlySpan<double> timestamps, int length, Func<int, bool>? include = null) =>
        Build(EventOrder.Of(users, timestamps), items, length, include);

    /// <summary>
    /// As <see cref="Build(ReadOnlySpan{long}, ReadOnlySpan{long}, ReadOnlySpan{double}, int, Func{int, bool}?)"/>, over events
    /// already ordered: an item history and its attribute histories share one <see cref="EventOrder"/>, so the log is sorted once.
    /// </summary>
    public static long[] Build(EventOrder events, ReadOnlySpan<long> items, int length, Func<int, bool>? include = null)
    {
        if (length < 1) throw new ArgumentOutOfRangeException(nameof(length), "history length must be >= 1");
        int n = events.Count;
        if (items.Length != n) throw new ArgumentException("users, items and timestamps must be aligned");
        var result = new long[(long)n * length];
        var (order, u, t) = (events.Order, events.Users, events.Times);
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
/// The events of a log ordered by (user, time, row): each user's events contiguous and chronological. Sorting a
/// million-row log takes about a second, so the histories built from the same user and time columns share one.
/// </summary>
public sealed class EventOrder
{
    internal int[] Order { get; }
    internal long[] Users { get; }
    internal double[] Times { get; }
    /// <summary>Number of events.</summary>
    public int Count => Order.Length;

    EventOrder(int[] order, long[] users, double[] times) => (Order, Users, Times) = (order, users, times);

    /// <summary>Orders the events given by their user id and time (aligned spans).</summary>
    public static EventOrder Of(ReadOnlySpan<long> users, ReadOnlySpan<double> timestamps)
    {
        int n = users.Length;
        if (timestamps.Length != n) throw new ArgumentException("users, items and timestamps must be aligned");
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        var u = users.ToArray();
        var t = timestamps.ToArray();
        Array.Sort(order, (a, b) => u[a] != u[b] ? u[a].CompareTo(u[b]) : t[a] != t[b] ? t[a].CompareTo(t[b]) : a.CompareTo(b));
        return new EventOrder(order, u, t);
    }
}

/// <summary>
/// The <c>history</c> options of loaders with a timestamped log: <c>history=L</c> (0 = no history feature),
/// <c>history_clicks_only</c> (only clicked/positive earlier events enter histories) and <c>history_attributes</c>
/// (columns whose histories are aligned with the item history: <c>hist_cate_id</c> beside <c>hist_movie_id</c>).
/// </summary>
/// <param name="Length">History length L (0 = none).</param>
/// <param name="ClicksOnly">Only clicked earlier events enter the histories.</param>
/// <param name="Attributes">Sparse columns, each given a history <c>hist_&lt;column&gt;</c> built from the same events as the
/// item history: position j holds the column's value on the event whose item is at position j of <c>hist_&lt;item&gt;</c>
/// (for an item attribute such as <c>cate_id</c>: that item's attribute), and pads exactly where the item history pads.
/// Null or empty = none.</param>
public sealed record HistoryOptions(int Length, bool ClicksOnly, IReadOnlyList<string>? Attributes = null)
{
    public static readonly IntDatasetOption HistoryLength = DatasetOption.Int("history",
        "add each user's last L items before the event as a sequence feature (0 = none)", 0, min: 0, max: 1000);
    public static readonly BoolDatasetOption ClicksOnlyOption = DatasetOption.Bool("history_clicks_only",
        "only clicked (positive) earlier events enter the histories", false);
    public static readonly NamesDatasetOption AttributesOption = DatasetOption.Names("history_attributes",
        "sparse columns (e.g. cate_id) given histories hist_<column> aligned with the item history: the value on each history event, 0 where it pads (needs history > 0)");

    /// <summary>The history options of loaders with a timestamped log.</summary>
    public static IReadOnlyList<DatasetOption> Declared { get; } = [HistoryLength, ClicksOnlyOption, AttributesOption];

    /// <summary>Whether <paramref name="loader"/> builds histories (declares the <c>history</c> option: it has a timestamped log).</summary>
    public static bool TakenBy(IDatasetLoader loader) => loader.Options.Any(o => o.Name == HistoryLength.Name);

    public static HistoryOptions From(Settings s) => new(HistoryLength.Read(s), ClicksOnlyOption.Read(s), AttributesOption.Read(s));

    public bool Enabled => Length > 0;

    /// <summary>The attribute columns, in the order given (empty when none).</summary>
    public IReadOnlyList<string> AttributeColumns => Attributes ?? [];

    /// <summary>
    /// The sequence inputs for a layout: the history of <paramref name="itemColumn"/> named <c>hist_&lt;item&gt;</c>, then one
    /// <c>hist_&lt;column&gt;</c> per attribute column (same user, time, length and filter, so aligned with the item history); or none.
    /// </summary>
    public IReadOnlyList<SequenceInput>? Inputs(string userColumn, string itemColumn, string timeColumn) =>
        Enabled
            ? [new SequenceInput($"hist_{itemColumn}", userColumn, itemColumn, timeColumn, Length, ClicksOnly),
               .. AttributeColumns.Select(a => new SequenceInput($"hist_{a}", userColumn, a, timeColumn, Length, ClicksOnly))]
            : null;

    /// <summary>
    /// Why <c>history_attributes</c> cannot be built on a dataset whose item column is <paramref name="itemColumn"/> and
    /// whose sparse columns are <paramref name="sparseColumns"/> (each message names the option, the value and the valid
    /// choices); empty when it can. Reads no file, so a plan is checked before loading (<see cref="IDatasetLoader.OptionProblems"/>).
    /// </summary>
    public IReadOnlyList<string> Problems(string itemColumn, IReadOnlyList<string> sparseColumns)
    {
        var attributes = AttributeColumns;
        if (attributes.Count == 0) return [];
        var problems = new List<string>();
        var usable = sparseColumns.Where(c => c != itemColumn).ToList();
        string Usable() => usable.Count == 0 ? "none" : string.Join(", ", usable);
        string given = "[" + string.Join(",", attributes) + "]";
        if (!Enabled)
            problems.Add($"option 'history_attributes': {given} needs history=L with L > 0 (attribute histories are aligned with the item history hist_{itemColumn}, which history=L adds)");
        foreach (var repeated in attributes.GroupBy(a => a, StringComparer.Ordinal).Where(g => g.Count() > 1))
            problems.Add($"option 'history_attributes': '{repeated.Key}' is named {repeated.Count()} times in {given}; name each column once");
        foreach (var a in attributes.Distinct(StringComparer.Ordinal))
        {
            if (a == itemColumn)
                problems.Add($"option 'history_attributes': '{a}' is the item column, whose history hist_{a} history=L adds already; columns that can be used: {Usable()}");
            else if (!usable.Contains(a, StringComparer.Ordinal))
                problems.Add($"option 'history_attributes': '{a}' is not a sparse column of this dataset; columns that can be used: {Usable()}");
        }
        return problems;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming <paramref name="dataset"/> and every problem of <see cref="Problems"/>.</summary>
    public void Check(string dataset, string itemColumn, IReadOnlyList<string> sparseColumns)
    {
        var problems = Problems(itemColumn, sparseColumns);
        if (problems.Count > 0) throw new ArgumentException($"dataset '{dataset}': {string.Join("; ", problems)}");
    }
}

/// <summary>
/// Histories a log states outright instead of implying them by timestamps: MIND's <c>behaviors.tsv</c> lists, with
/// every impression, the news the user clicked before the log's period. Per raw row, an index into shared item lists
/// (oldest first). Only the last <see cref="Length"/> items of a list are kept, and item strings are stored once, so
/// memory grows with the number of lists, not with the rows or the full history lengths.
/// </summary>
public sealed class ListedHistories(int length)
{
    readonly List<string[]> _lists = [];
    readonly Dictionary<string, string> _intern = new(StringComparer.Ordinal);
    int[] _perRow = new int[1024];
    int _count;

    /// <summary>How many of the most recent items a list keeps.</summary>
    public int Length { get; } = length >= 1 ? length : throw new ArgumentOutOfRangeException(nameof(length), "history length must be >= 1");
    /// <summary>Number of raw rows given a list.</summary>
    public int Count => _count;

    /// <summary>Adds a list (oldest first) and returns its index for <see cref="AddRow"/>.</summary>
    public int AddList(IReadOnlyList<string> itemsOldestFirst)
    {
        int skip = Math.Max(0, itemsOldestFirst.Count - Length);
        var kept = new string[itemsOldestFirst.Count - skip];
        for (int i = 0; i < kept.Length; i++)
        {
            var item = itemsOldestFirst[skip + i];
            if (!_intern.TryGetValue(item, out var shared)) _intern[item] = shared = item;
            kept[i] = shared;
        }
        _lists.Add(kept);
        return _lists.Count - 1;
    }

    /// <summary>Gives the next raw row the list <paramref name="list"/>.</summary>
    public void AddRow(int list)
    {
        if ((uint)list >= (uint)_lists.Count) throw new ArgumentOutOfRangeException(nameof(list), list, "no such history list");
        if (_count == _perRow.Length) Array.Resize(ref _perRow, _perRow.Length * 2);
        _perRow[_count++] = list;
    }

    /// <summary>The (at most <see cref="Length"/>) most recent items of raw row <paramref name="row"/>, oldest first.</summary>
    public IReadOnlyList<string> Of(int row) => _lists[_perRow[row]];
}

/// <summary>
/// A history feature read from <see cref="ListedHistories"/>: each row's last <paramref name="Length"/> listed items,
/// encoded with <paramref name="ItemColumn"/>'s encoder (ids + 1, 0 pads, right-aligned, oldest first). A listed item
/// the encoder has no id for takes the out-of-vocabulary id when there is one, and is left out otherwise.
/// </summary>
public sealed record ListedSequenceInput(string Name, string ItemColumn, int Length, ListedHistories Histories);
