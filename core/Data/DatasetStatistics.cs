using System.Globalization;
using System.Text;
using static TorchSharp.torch;

namespace Msr.Core.Data;

/// <summary>Statistics of one scenario.</summary>
public sealed record ScenarioStatistics(int Scenario, string Name, long Interactions, long Users, long Items, double PositiveRate);

/// <summary>Output format of <see cref="DatasetStatistics.Render(ScenarioDataset, StatisticsFormat, string?, string?)"/>.</summary>
public enum StatisticsFormat { Markdown, Csv }

/// <summary>
/// Per-scenario interactions, distinct users and items, positive rate; the coefficient of variation of scenario sizes;
/// users and items shared between scenarios.
/// </summary>
/// <remarks>
/// The coefficient of variation is the <b>sample</b> standard deviation (n − 1) over the mean: that is the definition
/// that reproduces the benchmark paper's Table 7 from its Table 2 counts (e.g. MovieLens 0.3186, KuaiRand 1.3552,
/// Ali-CCP 0.9180; the population version gives 0.2601, 1.2122, 0.7496). Both are reported.
/// </remarks>
public sealed record DatasetStatistics(
    string Dataset,
    string UserFeature,
    string ItemFeature,
    IReadOnlyList<ScenarioStatistics> Scenarios,
    ScenarioStatistics Overall,
    double CoefficientOfVariation,
    double PopulationCoefficientOfVariation,
    long[,] SharedUsers,
    long[,] SharedItems)
{
    /// <summary>
    /// Computes the statistics. Users and items are the sparse features <paramref name="userFeature"/> and
    /// <paramref name="itemFeature"/>; by default the schema's declared <see cref="DatasetSchema.UserFeature"/>, else the sparse
    /// features with the most usual user and item names (<see cref="UserItemColumns"/>: user_id, user, User_ID, Ali-CCP's 101;
    /// item_id, movie_id, video_id, News_ID, Ali-CCP's 205), else the first and second sparse features.
    /// </summary>
    public static DatasetStatistics Compute(ScenarioDataset dataset, string? userFeature = null, string? itemFeature = null)
    {
        var schema = dataset.Schema;
        var sparse = schema.SparseFeatures;
        if (sparse.Count == 0) throw new ArgumentException($"dataset '{dataset.Name}' has no sparse features to count users and items");
        var user = Given("user", userFeature) ?? schema.UserFeature ?? UserItemColumns.FirstUser(schema) ?? sparse[0].Name;
        var item = Given("item", itemFeature) ?? UserItemColumns.FirstItem(schema) ?? sparse[Math.Min(1, sparse.Count - 1)].Name;

        string? Given(string role, string? name) =>
            name is null || sparse.Any(f => f.Name == name) ? name
            : throw new ArgumentException($"{role} feature '{name}' is not a sparse feature of dataset '{dataset.Name}'; " +
                                          $"sparse features: {string.Join(", ", sparse.Select(f => f.Name))}");

        int s = schema.ScenarioCount;
        using var scope = NewDisposeScope();
        var scenario = dataset.Scenario.data<long>().ToArray();
        var label = dataset.Label.data<float>().ToArray();
        var users = dataset.Sparse.select(1, schema.SparseIndex(user)).to_type(ScalarType.Int64).data<long>().ToArray();
        var items = dataset.Sparse.select(1, schema.SparseIndex(item)).to_type(ScalarType.Int64).data<long>().ToArray();
        int userVocab = sparse[schema.SparseIndex(user)].Vocabulary, itemVocab = sparse[schema.SparseIndex(item)].Vocabulary;

        var counts = new long[s];
        var positives = new double[s];
        var userSeen = new bool[s][];
        var itemSeen = new bool[s][];
        for (int k = 0; k < s; k++)
        {
            userSeen[k] = new bool[userVocab];
            itemSeen[k] = new bool[itemVocab];
        }
        for (long r = 0; r < scenario.LongLength; r++)
        {
            int k = (int)scenario[r];
            counts[k]++;
            positives[k] += label[r];
            userSeen[k][users[r]] = true;
            itemSeen[k][items[r]] = true;
        }

        static long[,] Shared(bool[][] seen)
        {
            int n = seen.Length;
            var m = new long[n, n];
            for (int a = 0; a < n; a++)
                for (int b = a; b < n; b++)
                {
                    long c = 0;
                    for (int id = 0; id < seen[a].Length; id++) if (seen[a][id] && seen[b][id]) c++;
                    m[a, b] = m[b, a] = c;
                }
            return m;
        }

        var perScenario = Enumerable.Range(0, s).Select(k => new ScenarioStatistics(k, schema.ScenarioNames[k], counts[k],
            userSeen[k].LongCount(x => x), itemSeen[k].LongCount(x => x), counts[k] == 0 ? 0 : positives[k] / counts[k])).ToList();
        long total = counts.Sum();
        var overall = new ScenarioStatistics(-1, "all", total,
            Enumerable.Range(0, userVocab).LongCount(id => userSeen.Any(x => x[id])),
            Enumerable.Range(0, itemVocab).LongCount(id => itemSeen.Any(x => x[id])),
            total == 0 ? 0 : positives.Sum() / total);
        return new DatasetStatistics(dataset.Name, user, item, perScenario, overall,
            CoefficientOfVariationOf(counts, sample: true), CoefficientOfVariationOf(counts, sample: false), Shared(userSeen), Shared(itemSeen));
    }

    /// <summary>Standard deviation over mean of <paramref name="sizes"/>; sample (n − 1) by default, as in the paper's Table 7.</summary>
    public static double CoefficientOfVariationOf(IReadOnlyList<long> sizes, bool sample = true)
    {
        if (sizes.Count < 2) return 0;
        double mean = sizes.Average();
        if (mean == 0) return 0;
        double ss = sizes.Sum(x => (x - mean) * (x - mean));
        return Math.Sqrt(ss / (sample ? sizes.Count - 1 : sizes.Count)) / mean;
    }

    /// <summary>The statistics of <paramref name="dataset"/> rendered as Markdown or CSV (the text of <c>msr datasets stats</c>).</summary>
    public static string Render(ScenarioDataset dataset, StatisticsFormat format = StatisticsFormat.Markdown, string? userFeature = null,
        string? itemFeature = null)
    {
        var stats = Compute(dataset, userFeature, itemFeature);
        return format == StatisticsFormat.Csv ? stats.ToCsv() : stats.ToMarkdown();
    }

    static string F(double x, string format = "0.0000") => x.ToString(format, CultureInfo.InvariantCulture);
    static string N(long x) => x.ToString("N0", CultureInfo.InvariantCulture);

    public string ToMarkdown()
    {
        var sb = new StringBuilder();
        sb.AppendLine($"## {Dataset}").AppendLine();
        sb.Append(MarkdownTable.Render(
            ["Scenario", "Name", "Interactions", "Share", $"Users ({UserFeature})", $"Items ({ItemFeature})", "Positive rate"],
            Scenarios.Append(Overall).Select(x => (IReadOnlyList<string>)
            [
                x.Scenario < 0 ? "all" : $"S{x.Scenario}", x.Name, N(x.Interactions),
                F(Overall.Interactions == 0 ? 0 : (double)x.Interactions / Overall.Interactions, "0.000"), N(x.Users), N(x.Items), F(x.PositiveRate),
            ]),
            [false, false, true, true, true, true, true]));
        sb.AppendLine();
        sb.AppendLine($"Coefficient of variation of scenario sizes: {F(CoefficientOfVariation)} (sample std / mean, as the benchmark's Table 7; " +
                      $"population std / mean: {F(PopulationCoefficientOfVariation)}).");
        void Matrix(string title, long[,] m)
        {
            sb.AppendLine().AppendLine($"{title} (diagonal: the scenario's own count)").AppendLine();
            sb.Append(MarkdownTable.Render(
                ["", .. Scenarios.Select(x => $"S{x.Scenario}")],
                Enumerable.Range(0, Scenarios.Count).Select(a => (IReadOnlyList<string>)[$"S{a}", .. Enumerable.Range(0, Scenarios.Count).Select(b => N(m[a, b]))]),
                [false, .. Scenarios.Select(_ => true)]));
        }
        Matrix("Users shared between scenarios", SharedUsers);
        Matrix("Items shared between scenarios", SharedItems);
        return sb.ToString();
    }

    /// <summary>
    /// One row per scenario and an <c>all</c> row: interactions, users, items, positive rate, share, the shared user and
    /// item counts with each scenario (<c>shared_users_S{j}</c>, <c>shared_items_S{j}</c>) and, on the <c>all</c> row,
    /// the coefficients of variation.
    /// </summary>
    public string ToCsv()
    {
        var sb = new StringBuilder();
        var idx = Enumerable.Range(0, Scenarios.Count).ToList();
        sb.AppendLine("dataset,scenario,name,interactions,users,items,positive_rate,share," +
                      string.Join(",", idx.Select(j => $"shared_users_S{j}")) + "," + string.Join(",", idx.Select(j => $"shared_items_S{j}")) + ",cv,cv_population");
        static string Q(string s) => s.IndexOfAny([',', '"', '\n']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
        string Inv(long x) => x.ToString(CultureInfo.InvariantCulture);
        foreach (var x in Scenarios.Append(Overall))
        {
            var share = Overall.Interactions == 0 ? 0 : (double)x.Interactions / Overall.Interactions;
            sb.Append($"{Q(Dataset)},{(x.Scenario < 0 ? "all" : Inv(x.Scenario))},{Q(x.Name)},{Inv(x.Interactions)},{Inv(x.Users)},{Inv(x.Items)},");
            sb.Append($"{x.PositiveRate.ToString("R", CultureInfo.InvariantCulture)},{share.ToString("R", CultureInfo.InvariantCulture)},");
            sb.Append(string.Join(",", idx.Select(j => x.Scenario < 0 ? "" : Inv(SharedUsers[x.Scenario, j]))) + ",");
            sb.Append(string.Join(",", idx.Select(j => x.Scenario < 0 ? "" : Inv(SharedItems[x.Scenario, j]))) + ",");
            sb.AppendLine(x.Scenario < 0
                ? $"{CoefficientOfVariation.ToString("R", CultureInfo.InvariantCulture)},{PopulationCoefficientOfVariation.ToString("R", CultureInfo.InvariantCulture)}"
                : ",");
        }
        return sb.ToString();
    }
}
