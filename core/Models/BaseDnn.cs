using Msr.Core.Data;
using Msr.Core.Models.Layers;
using static TorchSharp.torch;

namespace Msr.Core.Models;

/// <summary>
/// BaseDNN (spec §4.17): one MLP shared by all scenarios, no per-scenario parameters.
/// By default it is scenario-blind (the general-recommender baseline every MSR model must beat);
/// <c>scenario_feature=true</c> gives the SFPNet paper's form, with the scenario embedded as an ordinary input.
/// </summary>
public sealed class BaseDnn : ScenarioModel
{
    static readonly BoolOption ScenarioFeature = ModelOption.Bool("scenario_feature", "embed the scenario as an ordinary input (SFPNet paper's form)", false);
    static readonly WidthsOption HiddenDims = ModelOption.Widths("hidden_dims", "hidden widths of the MLP (a logit layer follows)",
        PerPreset<int[]>.Same([256, 128, 64]));
    static readonly NumberOption Dropout = ModelOption.Number("dropout", "dropout after every hidden layer", PerPreset<double>.Same(0.0), 0, 0.99);

    public static IReadOnlyList<ModelOption> Options { get; } = [ScenarioFeature, HiddenDims, Dropout];

    readonly FeatureEmbedding embedding;
    readonly MlpBlock mlp;

    public BaseDnn(ModelContext context, Settings options) : base("BaseDNN")
    {
        bool scenarioFeature = ScenarioFeature.Read(context, options);
        var hidden = HiddenDims.Read(context, options);
        double dropout = Dropout.Read(context, options);
        embedding = new FeatureEmbedding(context.Schema, new EmbeddingInputs(Scenario: scenarioFeature));
        mlp = new MlpBlock(embedding.OutputDim, hidden, outputLayer: true, dropout);
        RegisterComponents();
    }

    public override Tensor forward(ScenarioBatch batch) =>
        sigmoid(mlp.forward(embedding.forward(batch))).squeeze(1);
}
