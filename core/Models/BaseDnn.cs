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
    readonly FeatureEmbedding embedding;
    readonly MlpBlock mlp;

    public BaseDnn(ModelContext context, Settings options) : base("BaseDNN")
    {
        bool scenarioFeature = options.Bool("scenario_feature", false);
        var hidden = options.Dims("hidden_dims", [256, 128, 64]);
        double dropout = options.Double("dropout", 0.0, 0, 0.99);
        embedding = new FeatureEmbedding(context.Schema, new EmbeddingInputs(Scenario: scenarioFeature));
        mlp = new MlpBlock(embedding.OutputDim, hidden, outputLayer: true, dropout);
        RegisterComponents();
    }

    public override Tensor forward(ScenarioBatch batch) =>
        sigmoid(mlp.forward(embedding.forward(batch))).squeeze(1);
}
