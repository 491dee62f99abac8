using Msr.Core.Data;

namespace Msr.Core.Models;

/// <summary>
/// The sparse features left out of the "scenario-input" feature set (spec §3.3, §3.8): the models that embed the
/// scenario id as an input (AdaSparse, M2M, AdaptDHM, EPNet) drop Ali-CCP's raw scenario column <c>301</c> from their
/// sparse list, because the scenario already enters as its own embedding. Both Ali-CCP loaders name that feature
/// <c>301</c>; every other dataset's list drops nothing.
/// </summary>
public static class ScenarioInputFeatures
{
    /// <summary>Ali-CCP's raw scenario column, as the Ali-CCP loaders name the sparse feature.</summary>
    public const string AliCcpScenarioColumn = "301";

    public static readonly NamesOption Exclude = ModelOption.Names("exclude_features",
        "sparse features left out of the input (reference: Ali-CCP's scenario column 301, which enters as the scenario embedding instead)",
        new(movielens: [], kuairand: [], aliccp: [AliCcpScenarioColumn], amazon: [], douban: [], mind: []));

    /// <summary>The names to exclude; a name the dataset lacks is an error naming the option and the dataset's features.</summary>
    public static string[] Read(string model, ModelContext context, Settings options)
    {
        var names = Exclude.Read(context, options);
        var sparse = context.Schema.SparseFeatures;
        var missing = names.Where(n => sparse.All(f => f.Name != n)).ToList();
        if (missing.Count > 0)
            throw new ArgumentException(
                $"{model}: option '{Exclude.Name}' names {string.Join(", ", missing.Select(m => $"'{m}'"))}, which the dataset does not have " +
                $"(its sparse features: {string.Join(", ", sparse.Select(f => f.Name))}); " +
                $"the preset '{context.Preset}' excludes {Exclude.DefaultText(context.Preset)} by default: pass {Exclude.Name}=[] for other data");
        return names;
    }
}
