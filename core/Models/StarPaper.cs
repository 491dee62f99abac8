using Msr.Core.Data;
using Msr.Core.Models.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Msr.Core.Models;

/// <summary>
/// STAR as its paper describes it (spec §4.4 "StarPaper"; the benchmark's reference form is <see cref="Star"/>):
/// partitioned normalisation (per-scenario statistics in training, per-scenario running averages at inference)
/// with shared × scenario affine parameters; a star FCN with W = W_shared ⊙ W_s, b = b_shared + b_s, ReLU between
/// hidden layers only and a linear output; and an auxiliary network on the scenario embedding whose logit is added
/// before the sigmoid.
/// </summary>
/// <remarks>
/// The star FCN has no normalisation inside (partitioned normalisation comes before it, with each scenario's own
/// statistics), so each scenario's FCN runs on its own rows in training as in evaluation (ScenarioMerge.Route): a row's
/// output and gradient depend on that row alone.
/// </remarks>
public sealed class StarPaper : ScenarioModel
{

    readonly FeatureEmbedding embedding;
    readonly PartitionedNorm norm;
    readonly Parameter shared_gamma;
    readonly Parameter shared_beta;
    readonly Parameter scenario_gamma;
    readonly Parameter scenario_beta;
    readonly StarWeights shared;
    readonly ModuleList<StarWeights> scenarios = new();
    readonly Embedding scenario_table;
    readonly MlpBlock aux;

    public StarPaper(ModelContext context, Settings options) : base("STAR-Paper")
    {
        var fcnDims = StarPresets.FcnDims.Read(context, options);
        var auxDims = StarPresets.AuxDims.Read(context, options);
        int s = context.ScenarioCount;
        embedding = new FeatureEmbedding(context.Schema, EmbeddingInputs.Default);
        int d = embedding.OutputDim;
        norm = new PartitionedNorm(d, s);
        shared_gamma = Parameter(ones(d));
        shared_beta = Parameter(zeros(d));
        scenario_gamma = Parameter(ones(s, d));
        scenario_beta = Parameter(zeros(s, d));
        int[] widths = [d, .. fcnDims, 1];
        shared = new StarWeights(widths, "shared");
        for (int k = 0; k < s; k++) scenarios.Add(new StarWeights(widths, $"scenario{k}"));
        scenario_table = Embedding(s, 16);
        aux = new MlpBlock(16, auxDims, outputLayer: true);
        RegisterComponents();
        using (no_grad()) init.normal_(scenario_table.weight!, 0, 1e-4);
    }

    public override Tensor forward(ScenarioBatch batch)
    {
        var scenario = batch.Scenario;
        var x = norm.forward(embedding.forward(batch), scenario);
        var u0 = shared_gamma * scenario_gamma.index_select(0, scenario) * x + shared_beta + scenario_beta.index_select(0, scenario);
        var logit = ScenarioMerge.Route(scenarios.Count, scenario, EveryRowForRowWiseBranches, (s, rows) => StarFcn(rows(u0), scenarios[s]))
                    + aux.forward(scenario_table.forward(scenario));
        return sigmoid(logit).squeeze(1);
    }

    Tensor StarFcn(Tensor input, StarWeights own)
    {
        var u = input;
        for (int l = 0; l < own.Layers; l++)
        {
            u = u.matmul(shared.Weight(l) * own.Weight(l)) + (shared.Bias(l) + own.Bias(l));
            if (l < own.Layers - 1) u = functional.relu(u);   // linear output layer
        }
        return u;
    }
}
