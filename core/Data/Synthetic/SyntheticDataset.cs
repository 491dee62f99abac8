using Msr.Core.Features;
using TorchSharp;
using static TorchSharp.torch;

namespace Msr.Core.Data.Synthetic;

/// <summary>Parameters of the synthetic multi-scenario generator (the embedded default dataset).</summary>
/// <param name="Rows">Number of interactions.</param>
/// <param name="Scenarios">Number of scenarios S.</param>
/// <param name="ScenarioSkew">Scenario s gets a share ∝ 1/(s+1)^skew of the rows (0 = equal sizes).</param>
/// <param name="Users">Number of users.</param>
/// <param name="Items">Number of items.</param>
/// <param name="ExtraFields">Extra categorical fields, alternately user and item attributes.</param>
/// <param name="FieldCardinality">Number of values of each extra field.</param>
/// <param name="DenseFeatures">Number of dense features (uniform in [0,1]).</param>
/// <param name="SharedSignal">Scale (logit standard deviation) of the effect shared by all scenarios.</param>
/// <param name="ScenarioSignal">Scale of the scenario-specific effect: only scenario-aware models can use it.</param>
/// <param name="LabelNoise">Probability that a drawn label is flipped.</param>
/// <param name="Seed">Everything is a function of this seed.</param>
/// <param name="History">Behaviour histories over the generated rows read as a chronological log (row order = time):
/// <c>hist_item_id</c> and the attribute histories (<see cref="HistoryOptions"/>); null or length 0 = none. They are
/// derived from the generated columns and draw no random numbers, so every other tensor is the same with or without them.</param>
public sealed record SyntheticOptions(
    int Rows = 60_000,
    int Scenarios = 3,
    double ScenarioSkew = 0.6,
    int Users = 2_000,
    int Items = 1_000,
    int ExtraFields = 4,
    int FieldCardinality = 12,
    int DenseFeatures = 2,
    double SharedSignal = 1.0,
    double ScenarioSignal = 1.2,
    double LabelNoise = 0.05,
    long Seed = 2022,
    HistoryOptions? History = null)
{
    static readonly SyntheticOptions D = new();
    static readonly IntDatasetOption RowsOption = DatasetOption.Int("rows", "number of interactions", D.Rows, min: 30);
    static readonly IntDatasetOption ScenariosOption = DatasetOption.Int("scenarios", "number of scenarios", D.Scenarios, min: 1, max: 1000);
    static readonly NumberDatasetOption SkewOption = DatasetOption.Number("scenario_skew", "scenario s gets a share ∝ 1/(s+1)^skew of the rows (0 = equal)", D.ScenarioSkew, min: 0);
    static readonly IntDatasetOption UsersOption = DatasetOption.Int("users", "number of users", D.Users, min: 1);
    static readonly IntDatasetOption ItemsOption = DatasetOption.Int("items", "number of items", D.Items, min: 1);
    static readonly IntDatasetOption ExtraFieldsOption = DatasetOption.Int("extra_fields", "extra categorical fields, alternately user and item attributes", D.ExtraFields, min: 0, max: 1000);
    static readonly IntDatasetOption CardinalityOption = DatasetOption.Int("field_cardinality", "values of each extra field", D.FieldCardinality, min: 1);
    static readonly IntDatasetOption DenseOption = DatasetOption.Int("dense_features", "dense features, uniform in [0,1]", D.DenseFeatures, min: 0, max: 1000);
    static readonly NumberDatasetOption SharedOption = DatasetOption.Number("shared_signal", "logit scale of the effect all scenarios share", D.SharedSignal, min: 0);
    static readonly NumberDatasetOption ScenarioSignalOption = DatasetOption.Number("scenario_signal", "logit scale of the scenario-specific effect", D.ScenarioSignal, min: 0);
    static readonly NumberDatasetOption NoiseOption = DatasetOption.Number("label_noise", "probability that a label is flipped", D.LabelNoise, min: 0, max: 0.5);
    static readonly LongDatasetOption SeedOption = DatasetOption.Long("data_seed", "seed of the generator (the data, not the run)", D.Seed);
    /// <summary>The generator's options, as the <c>synthetic</c> loader declares them.</summary>
    public static IReadOnlyList<DatasetOption> Declared { get; } =
    [
        RowsOption, ScenariosOption, SkewOption, UsersOption, ItemsOption, ExtraFieldsOption, CardinalityOption, DenseOption,
        SharedOption, ScenarioSignalOption, NoiseOption, SeedOption,
        // The history options every loader with a log has; here the rows are the log, in row order (see the remarks).
        .. HistoryOptions.Declared,
    ];

    public static SyntheticOptions From(Settings s) => new(
        RowsOption.Read(s), ScenariosOption.Read(s), SkewOption.Read(s), UsersOption.Read(s), ItemsOption.Read(s),
        ExtraFieldsOption.Read(s), CardinalityOption.Read(s), DenseOption.Read(s), SharedOption.Read(s),
        ScenarioSignalOption.Read(s), NoiseOption.Read(s), SeedOption.Read(s),
        HistoryOptions.From(s));

    /// <summary>The sparse columns, in order: user_id, item_id, then the extra fields (user_attr1, item_attr1, user_attr2, ...).</summary>
    public IReadOnlyList<string> SparseColumns =>
        ["user_id", "item_id", .. Enumerable.Range(0, ExtraFields).Select(j => $"{(j % 2 == 0 ? "user" : "item")}_attr{j / 2 + 1}")];

    /// <summary>What <c>history_attributes</c> cannot build (the item column is <c>item_id</c>); empty when all is well.</summary>
    public IReadOnlyList<string> HistoryProblems() => (History ?? new HistoryOptions(0, false)).Problems("item_id", SparseColumns);
}

/// <summary>
/// Generates a deterministic multi-scenario CTR dataset whose labels mix a signal shared by all
/// scenarios with a signal that differs per scenario, so scenario-aware models have something to win.
/// </summary>
/// <remarks>
/// Click logit of a row (user u, item i, scenario s, extra field values v_j, dense x):
/// <c>b_s + shared · z(a_u + c_i + Σ_j e_j[v_j] + w·x + ⟨p_u, q_i⟩) + specific · z(Σ_j e_{s,j}[v_j] + M_s[g_u, k_i])</c>,
/// where z standardises a component to unit variance, g_u and k_i are the first user and item
/// attribute fields (their per-scenario interaction M_s needs both fields and the scenario), and
/// b_s gives each scenario its own base rate. A scenario-blind model sees the scenario-specific
/// term only as noise averaged over scenarios.
/// <para>
/// Each extra field is a table drawn once per user (user_attr*) or per item (item_attr*) and looked up per row, so an
/// item attribute is a function of the item: its history (<c>history_attributes=item_attr1</c>) holds the attribute of
/// the item at the same position of <c>hist_item_id</c>. Histories read the rows as a chronological log (row r happens
/// at time r); they are computed from the generated columns without drawing from the generator.
/// </para>
/// </remarks>
public static class SyntheticDataset
{
    const int LatentDim = 8;

    public static ScenarioDataset Generate(SyntheticOptions o)
    {
        CheckHistory(o);
        using var scope = NewDisposeScope();
        using var g = new Generator((ulong)o.Seed);
        long n = o.Rows;

        // Who interacts with what, in which scenario. Item popularity follows a gentle power law.
        var scenarioShare = pow(arange(1, o.Scenarios + 1, dtype: float64), -o.ScenarioSkew);
        var scenario = multinomial(scenarioShare, n, replacement: true, generator: g);
        var user = randint(o.Users, [n], generator: g);
        var itemPopularity = pow(arange(1, o.Items + 1, dtype: float64), -0.7);
        var item = multinomial(itemPopularity, n, replacement: true, generator: g);

        // Attributes: extra field j belongs to users (even j) or items (odd j).
        var fieldValues = new List<Tensor>();
        for (int j = 0; j < o.ExtraFields; j++)
        {
            var table = randint(o.FieldCardinality, [j % 2 == 0 ? o.Users : o.Items], generator: g);
            fieldValues.Add(table.index_select(0, j % 2 == 0 ? user : item));
        }
        var dense = rand([n, o.DenseFeatures], generator: g, dtype: float32);

        // Shared effect.
        var userBias = randn(o.Users, generator: g, dtype: float64);
        var itemBias = randn(o.Items, generator: g, dtype: float64);
        var userLatent = randn([o.Users, LatentDim], generator: g, dtype: float64);
        var itemLatent = randn([o.Items, LatentDim], generator: g, dtype: float64);
        var shared = userBias.index_select(0, user) + itemBias.index_select(0, item)
            + (userLatent.index_select(0, user) * itemLatent.index_select(0, item)).sum(1) / Math.Sqrt(LatentDim);
        foreach (var values in fieldValues)
            shared += randn(o.FieldCardinality, generator: g, dtype: float64).index_select(0, values);
        if (o.DenseFeatures > 0)
            shared += dense.to_type(float64).matmul(randn(o.DenseFeatures, generator: g, dtype: float64) * 2);

        // Scenario-specific effect: per-scenario field effects and a per-scenario user×item attribute interaction.
        var specific = zeros(n, dtype: float64);
        foreach (var values in fieldValues)
        {
            var effects = randn([o.Scenarios, o.FieldCardinality], generator: g, dtype: float64);
            specific += effects.flatten().index_select(0, scenario * o.FieldCardinality + values);
        }
        if (fieldValues.Count >= 2)
        {
            int c = o.FieldCardinality;
            var cross = randn([o.Scenarios, c, c], generator: g, dtype: float64);
            specific += 1.5 * cross.flatten().index_select(0, (scenario * c + fieldValues[0]) * c + fieldValues[1]);
        }
        var scenarioBias = randn(o.Scenarios, generator: g, dtype: float64) * 0.5 - 0.3;

        var logit = scenarioBias.index_select(0, scenario) + o.SharedSignal * Standardize(shared) + o.ScenarioSignal * Standardize(specific);
        var clicked = rand(n, generator: g, dtype: float64).lt(sigmoid(logit));
        var flip = rand(n, generator: g, dtype: float64).lt(o.LabelNoise);
        var label = clicked.logical_xor(flip).to_type(float32);

        var sparseColumns = new List<Tensor> { user, item };
        sparseColumns.AddRange(fieldValues);
        var schema = Schema(o);
        return new ScenarioDataset("synthetic", schema, stack(sparseColumns, 1), dense, scenario, label, Histories(o, sparseColumns, label));
    }

    /// <summary>
    /// <c>hist_item_id</c> and the attribute histories, the rows read as a log in row order (time = row index), or none.
    /// Every history comes from the same user, time and filter, so they are aligned position by position.
    /// </summary>
    static Dictionary<string, Tensor>? Histories(SyntheticOptions o, List<Tensor> sparseColumns, Tensor label)
    {
        if (o.History is not { Enabled: true } h) return null;
        long n = o.Rows;
        var users = sparseColumns[0].data<long>().ToArray();
        var times = new double[n];
        for (int r = 0; r < n; r++) times[r] = r;
        var clicked = h.ClicksOnly ? label.data<float>().ToArray() : null;
        Func<int, bool>? include = clicked is null ? null : r => clicked[r] == 1;
        var names = o.SparseColumns.ToList();
        var histories = new Dictionary<string, Tensor>();
        var events = EventOrder.Of(users, times);
        foreach (var column in (string[])["item_id", .. h.AttributeColumns])
        {
            var values = sparseColumns[names.IndexOf(column)].data<long>().ToArray();
            histories[$"hist_{column}"] = tensor(BehaviorSequences.Build(events, values, h.Length, include), [n, h.Length]);
        }
        return histories;
    }

    public static DatasetSchema Schema(SyntheticOptions o)
    {
        CheckHistory(o);
        var features = new List<FeatureSpec> { FeatureSpec.Sparse("user_id", o.Users), FeatureSpec.Sparse("item_id", o.Items) };
        for (int j = 0; j < o.ExtraFields; j++)
            features.Add(FeatureSpec.Sparse($"{(j % 2 == 0 ? "user" : "item")}_attr{j / 2 + 1}", o.FieldCardinality));
        for (int j = 0; j < o.DenseFeatures; j++) features.Add(FeatureSpec.Dense($"dense{j + 1}"));
        if (o.History is { Enabled: true } h)
            foreach (var column in (string[])["item_id", .. h.AttributeColumns])
            {
                var owner = features.First(f => f.Name == column); // a sparse column: CheckHistory
                features.Add(FeatureSpec.Sequence($"hist_{column}", owner.Vocabulary + 1, h.Length));
            }
        return new DatasetSchema(features, [.. Enumerable.Range(0, o.Scenarios).Select(s => $"scenario{s}")], "click", userFeature: "user_id");
    }

    static void CheckHistory(SyntheticOptions o)
    {
        if (o.HistoryProblems() is { Count: > 0 } problems) throw new ArgumentException($"dataset 'synthetic': {string.Join("; ", problems)}");
    }

    static Tensor Standardize(Tensor x)
    {
        var std = x.std().item<double>();
        return std > 0 ? (x - x.mean()) / std : x - x.mean();
    }
}
