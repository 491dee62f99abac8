using System.Globalization;

namespace Msr.Core.Features;

/// <summary>What happens to a row whose value a scenario rule does not name.</summary>
public enum OutsideRows
{
    /// <summary>The row is dropped (top-k, a fixed list that filters).</summary>
    Drop,
    /// <summary>The row is a <see cref="DataFormatException"/> (value groups without a catch-all, a closed fixed list).</summary>
    Error,
}

/// <summary>Result of applying a <see cref="ScenarioRule"/>: a scenario per row (−1 = dropped) and the scenario names.</summary>
public sealed record ScenarioAssignment(int[] PerRow, IReadOnlyList<string> Names)
{
    public int KeptRows => PerRow.Count(s => s >= 0);
}

/// <summary>
/// How rows of a raw table are assigned to scenarios, as data. Four kinds:
/// <list type="bullet">
/// <item><see cref="ByValue"/>: each distinct value of a column is a scenario (ordered like the LabelEncoder:
/// numerically when all values are numbers). A missing value is an error.</item>
/// <item><see cref="Groups"/>: named groups of values (MovieLens age {1,18}, {25}, {35,45,50,56}); a value in no group
/// is an error unless a catch-all group is named.</item>
/// <item><see cref="TopK"/>: the k most frequent values (ties: value order); rows with other values are dropped.</item>
/// <item><see cref="Fixed"/>: a listed set of values, scenario i = the i-th value; other values dropped or an error.</item>
/// </list>
/// Every scenario must receive at least one row: an empty scenario is a <see cref="DataFormatException"/>.
/// </summary>
public abstract record ScenarioRule(string Column)
{
    /// <summary>Each distinct value of <paramref name="column"/> is a scenario.</summary>
    public static ScenarioRule ByValue(string column) => new ByValueRule(column);

    /// <summary>Named groups of values; <paramref name="catchAll"/> names the group of every other value (null: other values are an error).</summary>
    public static ScenarioRule Groups(string column, IReadOnlyList<(string Name, string[] Values)> groups, string? catchAll = null) =>
        new GroupsRule(column, groups, catchAll);

    /// <summary>The <paramref name="k"/> most frequent values; scenarios ordered by value (LabelEncoder order) or by size (largest first).</summary>
    public static ScenarioRule TopK(string column, int k, bool orderBySize = false) => new TopKRule(column, k, orderBySize);

    /// <summary>Scenario i is rows whose value is <paramref name="values"/>[i]; other rows dropped or an error.</summary>
    public static ScenarioRule Fixed(string column, IReadOnlyList<string> values, OutsideRows outside = OutsideRows.Drop,
        IReadOnlyList<string>? names = null) => new FixedRule(column, values, outside, names);

    /// <summary>
    /// Parses the textual form used by options: <c>col</c> (each value), <c>col:top=5</c>, <c>col:top=5:size</c>,
    /// <c>col:values=a,b,c</c> (others dropped), <c>col:only=a,b,c</c> (others an error),
    /// <c>col:groups=1/18,25,35/45/50/56</c> (groups separated by commas, values within a group by '/').
    /// </summary>
    public static ScenarioRule Parse(string text)
    {
        var parts = text.Split(':', 2);
        var column = parts[0].Trim();
        if (column.Length == 0) throw new ArgumentException($"scenario rule '{text}': no column");
        if (parts.Length == 1) return ByValue(column);
        var spec = parts[1];
        var eq = spec.IndexOf('=');
        if (eq < 0) throw new ArgumentException($"scenario rule '{text}': expected top=K, values=..., only=... or groups=...");
        var kind = spec[..eq].Trim().ToLowerInvariant();
        var arg = spec[(eq + 1)..];
        string[] List(string s) => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        switch (kind)
        {
            case "top":
                var topParts = arg.Split(':');
                if (!int.TryParse(topParts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var k) || k < 1)
                    throw new ArgumentException($"scenario rule '{text}': top needs a positive integer");
                return TopK(column, k, topParts.Length > 1 && topParts[1].Trim().Equals("size", StringComparison.OrdinalIgnoreCase));
            case "values": return Fixed(column, List(arg), OutsideRows.Drop);
            case "only": return Fixed(column, List(arg), OutsideRows.Error);
            case "groups":
                var groups = List(arg).Select(g => g.Split('/', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    .Select(vs => (string.Join("/", vs), vs)).ToList();
                return Groups(column, groups);
            default: throw new ArgumentException($"scenario rule '{text}': unknown kind '{kind}' (top, values, only, groups)");
        }
    }

    /// <summary>Assigns every row of <paramref name="table"/> to a scenario or drops it.</summary>
    public ScenarioAssignment Apply(RawTable table)
    {
        var column = table[Column];
        var (codes, keys, firstSeen) = column.AsKeys();
        var (codeToScenario, names) = Map(keys, codes, firstSeen, table.SourceText);
        var perRow = new int[codes.Length];
        var sizes = new long[names.Count];
        for (int i = 0; i < codes.Length; i++)
        {
            int c = codes[i];
            if (c < 0)
            {
                var at = column is CategoricalColumn cat && cat.FirstMissing is { } p ? p : new SourcePosition(table.SourceText, 0);
                throw new DataFormatException(at, Column, "the scenario value is missing");
            }
            int s = codeToScenario[c];
            perRow[i] = s;
            if (s >= 0) sizes[s]++;
        }
        for (int s = 0; s < sizes.Length; s++)
            if (sizes[s] == 0)
                throw new DataFormatException(table.SourceText, 0, Column, $"scenario '{names[s]}' ({Describe()}) has no rows");
        return new ScenarioAssignment(perRow, names);
    }

    /// <summary>Scenario per distinct key (−1 = drop) and scenario names.</summary>
    private protected abstract (int[] CodeToScenario, IReadOnlyList<string> Names) Map(IReadOnlyList<string> keys, int[] codes,
        IReadOnlyList<SourcePosition> firstSeen, string source);

    /// <summary>A short text of the rule for messages and reports.</summary>
    public abstract string Describe();

    private protected static int[] SortedByValue(IEnumerable<int> codes, IReadOnlyList<string> keys)
    {
        var list = codes.ToList();
        bool numeric = list.All(c => double.TryParse(keys[c], NumberStyles.Float, CultureInfo.InvariantCulture, out _));
        if (numeric)
        {
            double N(int c) => double.Parse(keys[c], NumberStyles.Float, CultureInfo.InvariantCulture);
            list.Sort((a, b) => N(a).CompareTo(N(b)));
        }
        else list.Sort((a, b) => string.CompareOrdinal(keys[a], keys[b]));
        return [.. list];
    }

    private protected static int[] Counts(int[] codes, int distinct)
    {
        var counts = new int[distinct];
        foreach (var c in codes) if (c >= 0) counts[c]++;
        return counts;
    }

    /// <summary>Matches a key against a declared value; numbers compare numerically ("1" = "1.0").</summary>
    private protected static bool Same(string key, string declared)
    {
        if (string.Equals(key, declared, StringComparison.Ordinal)) return true;
        return double.TryParse(key, NumberStyles.Float, CultureInfo.InvariantCulture, out var a)
            && double.TryParse(declared, NumberStyles.Float, CultureInfo.InvariantCulture, out var b) && a == b;
    }

    sealed record ByValueRule(string Column) : ScenarioRule(Column)
    {
        private protected override (int[], IReadOnlyList<string>) Map(IReadOnlyList<string> keys, int[] codes, IReadOnlyList<SourcePosition> firstSeen, string source)
        {
            var order = SortedByValue(Enumerable.Range(0, keys.Count), keys);
            var map = new int[keys.Count];
            for (int i = 0; i < order.Length; i++) map[order[i]] = i;
            return (map, order.Select(c => keys[c]).ToList());
        }

        public override string Describe() => $"each value of '{Column}'";
    }

    sealed record GroupsRule(string Column, IReadOnlyList<(string Name, string[] Values)> GroupList, string? CatchAll) : ScenarioRule(Column)
    {
        private protected override (int[], IReadOnlyList<string>) Map(IReadOnlyList<string> keys, int[] codes, IReadOnlyList<SourcePosition> firstSeen, string source)
        {
            if (GroupList.Count == 0) throw new ArgumentException("a group rule needs at least one group");
            var names = GroupList.Select(g => g.Name).ToList();
            if (CatchAll is not null) names.Add(CatchAll);
            var map = new int[keys.Count];
            for (int c = 0; c < keys.Count; c++)
            {
                int g = -1;
                for (int j = 0; j < GroupList.Count && g < 0; j++)
                    if (GroupList[j].Values.Any(v => Same(keys[c], v))) g = j;
                if (g < 0)
                {
                    if (CatchAll is null)
                        throw new DataFormatException(firstSeen[c], Column,
                            $"value '{keys[c]}' is in no scenario group ({Describe()}) and the rule has no catch-all group");
                    g = GroupList.Count;
                }
                map[c] = g;
            }
            return (map, names);
        }

        public override string Describe() =>
            $"groups of '{Column}': " + string.Join(" | ", GroupList.Select(g => $"{g.Name}={{{string.Join(",", g.Values)}}}"))
            + (CatchAll is null ? "" : $" | {CatchAll}=others");
    }

    sealed record TopKRule(string Column, int K, bool OrderBySize) : ScenarioRule(Column)
    {
        private protected override (int[], IReadOnlyList<string>) Map(IReadOnlyList<string> keys, int[] codes, IReadOnlyList<SourcePosition> firstSeen, string source)
        {
            if (K < 1) throw new ArgumentException("top-k needs k >= 1");
            if (keys.Count < K)
                throw new DataFormatException(source, 0, Column,
                    $"top-{K} scenarios requested but the column has only {keys.Count} distinct value{(keys.Count == 1 ? "" : "s")} ({string.Join(", ", keys.Take(10))}); the other scenarios would be empty");
            var counts = Counts(codes, keys.Count);
            var byValue = SortedByValue(Enumerable.Range(0, keys.Count), keys);
            var rank = new int[keys.Count];
            for (int i = 0; i < byValue.Length; i++) rank[byValue[i]] = i;
            // Stable choice: larger count first, ties by value order.
            var top = Enumerable.Range(0, keys.Count).OrderByDescending(c => counts[c]).ThenBy(c => rank[c]).Take(K).ToList();
            var ordered = OrderBySize ? top : [.. top.OrderBy(c => rank[c])];
            var map = Enumerable.Repeat(-1, keys.Count).ToArray();
            for (int i = 0; i < ordered.Count; i++) map[ordered[i]] = i;
            return (map, ordered.Select(c => keys[c]).ToList());
        }

        public override string Describe() => $"top {K} values of '{Column}'{(OrderBySize ? " by size" : "")}";
    }

    sealed record FixedRule(string Column, IReadOnlyList<string> ValueList, OutsideRows Outside, IReadOnlyList<string>? NameList) : ScenarioRule(Column)
    {
        private protected override (int[], IReadOnlyList<string>) Map(IReadOnlyList<string> keys, int[] codes, IReadOnlyList<SourcePosition> firstSeen, string source)
        {
            if (ValueList.Count == 0) throw new ArgumentException("a fixed scenario list needs at least one value");
            if (NameList is not null && NameList.Count != ValueList.Count) throw new ArgumentException("one scenario name per value");
            var map = new int[keys.Count];
            for (int c = 0; c < keys.Count; c++)
            {
                int s = -1;
                for (int j = 0; j < ValueList.Count && s < 0; j++) if (Same(keys[c], ValueList[j])) s = j;
                if (s < 0 && Outside == OutsideRows.Error)
                    throw new DataFormatException(firstSeen[c], Column,
                        $"scenario value '{keys[c]}' is outside the declared set {{{string.Join(", ", ValueList)}}}");
                map[c] = s;
            }
            return (map, NameList ?? ValueList);
        }

        public override string Describe() => $"'{Column}' in {{{string.Join(", ", ValueList)}}}{(Outside == OutsideRows.Drop ? ", others dropped" : "")}";
    }
}
