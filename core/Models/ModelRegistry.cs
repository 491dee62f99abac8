namespace Msr.Core.Models;

/// <summary>A registered model: its canonical name, what it is, and how to build it.</summary>
public sealed record ModelEntry(string Name, string Description, Func<ModelContext, Settings, ScenarioModel> Create);

/// <summary>Name (case-insensitive) → model constructor. Adding a model is one file plus one line here.</summary>
public static class ModelRegistry
{
    static readonly IReadOnlyList<ModelEntry> Entries =
    [
        new("BaseDNN", "Scenario-blind MLP over all features (general recommender baseline)", (c, o) => new BaseDnn(c, o)),
        new("SharedBottom", "Shared bottom MLP with one tower per scenario", (c, o) => new SharedBottom(c, o)),
        new("MMoE", "Multi-gate mixture of experts, one gate and tower per scenario", (c, o) => new Mmoe(c, o)),
        new("PLE", "Progressive layered extraction, one CGC level: per-scenario and shared experts", (c, o) => new Ple(c, o)),
        new("STAR", "Star topology FCN: shared ⊙ scenario weights, whole-batch normalisation, auxiliary net", (c, o) => new Star(c, o)),
        new("STAR-Paper", "STAR as its paper describes it: partitioned normalisation, plain star FCN, auxiliary net on the scenario", (c, o) => new StarPaper(c, o)),
    ];

    public static IReadOnlyList<ModelEntry> All => Entries;

    public static ModelEntry Get(string name) =>
        Entries.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"unknown model '{name}'; available: {string.Join(", ", Entries.Select(e => e.Name))}");

    /// <summary>Builds a model; options the model does not read are reported as errors.</summary>
    public static ScenarioModel Create(string name, ModelContext context, Settings options)
    {
        var entry = Get(name);
        var model = entry.Create(context, options);
        try
        {
            options.EnsureAllUsed($"model '{entry.Name}'");
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return model;
    }
}
