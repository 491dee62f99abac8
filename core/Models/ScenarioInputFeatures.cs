using Msr.Core.Data;

namespace Msr.Core.Models;

/// <summary>
/// The one <c>exclude_features</c> option: sparse features left out of a model's input. In the reference (spec §3.3,
/// §3.8) the models that embed the scenario id as an input (AdaSparse, M2M, AdaptDHM/ADL, EPNet, PPNet) drop Ali-CCP's
/// raw scenario column <c>301</c> from their sparse list, because the scenario already enters as its own embedding;
/// every other dataset's list drops nothing. Those five models declare this same option, so its meaning, defaults and
/// errors are one; the models that keep <c>301</c> (the default feature set, SAR-Net) do not have it.
/// </summary>
public static class ScenarioInputFeatures
{
    /// <summary>Ali-CCP's raw scenario column, as both Ali-CCP loaders name the sparse feature.</summary>
    public const string AliCcpScenarioColumn = "301";

    /// <summary>What the reference's scenario-input feature lists leave out, per dataset (spec §3.8).</summary>
    public static readonly PerPreset<string[]> ReferenceExclusions =
        new(movielens: [], kuairand: [], aliccp: [AliCcpScenarioColumn], amazon: [], douban: [], mind: []);

    public static readonly NamesOption Exclude = ModelOption.Names("exclude_features",
        "sparse features left out of the input (reference: Ali-CCP's scenario column 301, which enters as the scenario embedding instead)",
        ReferenceExclusions);

    /// <summary>The names to leave out; a name the dataset lacks is an error naming the option, the preset and the dataset's features.</summary>
    public static string[] Read(ModelContext context, Settings options) => Exclude.ReadSparseFeatures(context, options);
}
