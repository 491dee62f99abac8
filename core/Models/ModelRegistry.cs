namespace Msr.Core.Models;

/// <summary>A registered model: its canonical name, what it is, where it comes from, its options and how to build it.</summary>
/// <param name="Name">Canonical name (lookup is case-insensitive).</param>
/// <param name="Description">One line: what the model is.</param>
/// <param name="Paper">The paper it comes from (short citation).</param>
/// <param name="Options">Every hyper-parameter it reads, with defaults per preset.</param>
/// <param name="Create">Builds it; reads options only through <paramref name="Options"/>.</param>
/// <param name="RequiresHistories">The model reads behaviour histories (<c>hist_&lt;column&gt;</c> sequence features), so it runs only on
/// data loaded with <c>history=L</c> (and the attribute histories it names); a plan is checked for them before training.</param>
public sealed record ModelEntry(string Name, string Description, string Paper, IReadOnlyList<ModelOption> Options,
    Func<ModelContext, Settings, ScenarioModel> Create, bool RequiresHistories = false)
{
    /// <summary>Every problem of the given options (unknown names with the valid ones, bad values, unknown preset), without building anything.</summary>
    public IReadOnlyList<string> Problems(IEnumerable<KeyValuePair<string, string>> given)
    {
        var problems = new List<string>();
        foreach (var (rawKey, value) in given)
        {
            var key = ModelRegistry.NormalizeKey(rawKey);
            if (key == ModelRegistry.PresetOption)
            {
                try { Presets.Normalize(value); }
                catch (ArgumentException e) { problems.Add($"option 'preset': {e.Message}"); }
                continue;
            }
            var option = Options.FirstOrDefault(o => o.Name == key);
            if (option is null)
                problems.Add($"unknown option '{rawKey}' for model '{Name}'; its options: {string.Join(", ", OptionNames)}");
            else if (option.Problem(value) is { } problem)
                problems.Add(problem);
        }
        return problems;
    }

    /// <summary>Names of the declared options plus the common <c>preset</c>.</summary>
    public IEnumerable<string> OptionNames => Options.Select(o => o.Name).Append(ModelRegistry.PresetOption);
}

/// <summary>Name (case-insensitive) → model. Adding a model is one file plus one line here.</summary>
public static class ModelRegistry
{
    /// <summary>The option every model takes: which column of the spec's per-dataset tables gives the defaults.</summary>
    public const string PresetOption = "preset";

    static readonly IReadOnlyList<ModelEntry> Entries =
    [
        new("BaseDNN", "Scenario-blind MLP over all features (general recommender baseline)",
            "SFPNet baseline (Zhang et al., SIGIR 2024)", BaseDnn.Options, (c, o) => new BaseDnn(c, o)),
        new("DeepFM", "Factorisation machine and MLP over shared field embeddings, the scenario one more field (general recommender baseline)",
            "Guo et al., IJCAI 2017; SFPNet baseline", DeepFm.Options, (c, o) => new DeepFm(c, o)),
        new("SharedBottom", "Shared bottom MLP with one tower per scenario",
            "Caruana, Multitask Learning (1997)", SharedBottom.Options, (c, o) => new SharedBottom(c, o)),
        new("MMoE", "Multi-gate mixture of experts, one gate and tower per scenario",
            "Ma et al., KDD 2018", Mmoe.Options, (c, o) => new Mmoe(c, o)),
        new("PLE", "Progressive layered extraction, one CGC level: per-scenario and shared experts",
            "Tang et al., RecSys 2020", Ple.Options, (c, o) => new Ple(c, o)),
        new("STAR", "Star topology FCN: shared ⊙ scenario weights, whole-batch normalisation, auxiliary net",
            "Sheng et al., CIKM 2021", StarPresets.Options, (c, o) => new Star(c, o)),
        new("STAR-Paper", "STAR as its paper describes it: partitioned normalisation, plain star FCN, auxiliary net on the scenario",
            "Sheng et al., CIKM 2021", StarPresets.Options, (c, o) => new StarPaper(c, o)),
        new("EPNet", "PEPNet's embedding personalisation: scenario-gated input (GateNU), reference linear head",
            "Chang et al., PEPNet, KDD 2023", EpNet.Options, (c, o) => new EpNet(c, o)),
        new("PPNet", "PEPNet's parameter personalisation: per-scenario towers gated by user/item ids (GateNU)",
            "Chang et al., PEPNet, KDD 2023", PpNet.Options, (c, o) => new PpNet(c, o)),
        new("SAR-Net", "Scenario transformation of the embeddings, shared and scenario-specific debias experts, one shared gate",
            "Shen et al., CIKM 2021", SarNet.Options, (c, o) => new SarNet(c, o)),
        new("AdaSparse", "MLP whose input and hidden neurons are re-weighted per row by pruners reading the scenario embedding",
            "Yang et al., CIKM 2022", AdaSparse.Options, (c, o) => new AdaSparse(c, o)),
        new("ADL", "The reference's AdaptDHM: rows routed to learned distribution clusters, shared ⊙ cluster tower matrices",
            "Li et al., AdaptDHM (arXiv 2211.12105), ADL at SIGIR 2023", AdaptDhm.Options, (c, o) => new AdaptDhm(c, o)),
        new("ADL-Paper", "ADL as the paper describes it: true routing to cluster MLP towers with a STAR-style output layer, linear term, L2 penalties",
            "Li et al., ADL, SIGIR 2023", AdlPaper.Options, (c, o) => new AdlPaper(c, o)),
        new("M3oE", "Multi-domain mixture of experts: STAR-like bottom, shared and domain experts, balance and fusion scalars",
            "Zhang et al., M3oE, SIGIR 2024", M3oE.Options, (c, o) => new M3oE(c, o)),
        new("M2M", "Transformer backbone (reference: attends across the batch), experts mixed by scenario-generated meta attention, meta tower",
            "Zhang et al., WSDM 2022", M2M.Options, (c, o) => new M2M(c, o)),
        new("HAMUR", "Per-scenario towers with hyper-adapters whose weights a shared hyper-network generates per row",
            "Li et al., CIKM 2023", Hamur.Options, (c, o) => new Hamur(c, o)),
        new("SFPNet", "Scenario-tailoring blocks (scenario-gated fields, per-field residual tailoring) and a scenario-gated DNN; sequence-free form, with histories the paper's full form (DAP, behaviour tailoring, target attention)",
            "Zhang et al., SIGIR 2024", SfpNet.Options, (c, o) => new SfpNet(c, o)),
        new("HierRec", "Scenario-generated linear layers: explicit from the scenario embedding, implicit per head from softly selected, attended fields",
            "Gao et al., SIGIR 2023", HierRec.Options, (c, o) => new HierRec(c, o)),
        new("SACN", "Scenario-aware self-attention over item and attribute histories, contrasted across scenarios; needs data loaded with history and history_attributes",
            "Huang et al., SACN (Dewu), 2024", Sacn.Options, (c, o) => new Sacn(c, o), RequiresHistories: true),
    ];

    public static IReadOnlyList<ModelEntry> All => Entries;

    public static ModelEntry Get(string name) =>
        Entries.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"unknown model '{name}'; available: {string.Join(", ", Entries.Select(e => e.Name))}");

    /// <summary>Builds a model; options it does not declare are errors, and so is a read of an undeclared option (a defect).</summary>
    public static ScenarioModel Create(string name, ModelContext context, Settings options)
    {
        var entry = Get(name);
        var problems = entry.Problems(options.Given);
        if (problems.Count > 0) throw new ArgumentException(string.Join("; ", problems));
        var model = entry.Create(context, options);
        try
        {
            options.EnsureAllUsed($"model '{entry.Name}'");
            var undeclared = options.Resolved.Keys.Where(k => k != PresetOption && entry.Options.All(o => o.Name != k)).ToList();
            if (undeclared.Count > 0)
                throw new InvalidOperationException($"model '{entry.Name}' read undeclared option(s) {string.Join(", ", undeclared)}: declare them in its Options");
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return model;
    }

    internal static string NormalizeKey(string key) => key.Trim().Replace('-', '_').ToLowerInvariant();
}
