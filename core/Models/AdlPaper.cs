using Msr.Core.Data;
using Msr.Core.Models.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Msr.Core.Models;

/// <summary>
/// ADL in the paper's style (spec §4.9; not used by the benchmark, whose "ADL" is <see cref="AdaptDhm"/>): rows are
/// routed to K distribution clusters; each cluster has an MLP tower (Linear → BatchNorm → ReLU → Dropout) whose
/// final layer is STAR-style (cluster ⊙ shared output weight, summed biases), plus a first-order linear term.
/// </summary>
/// <remarks>
/// <para><b>Routing</b> (detached x, no gradient), in <em>every</em> forward, training and inference alike:
/// E₀ = C; for t = 1…T: R_t = softmax(x·E_{t−1}ᵀ), E_t = normalise(R_tᵀx); the assignment is argmax R_T; then
/// C ← normalise(β·C + (1−β)·E_T). Inference therefore moves the centres too, so predictions depend on the order of
/// the evaluated batches (paper-style behaviour). The centres are a persistent buffer kept at restore, as in
/// <see cref="AdaptDhm"/>.</para>
/// <para><b>True routing</b>: cluster k's tower runs only on the rows assigned to k (index subsets), so its BatchNorm
/// sees only its own rows. This needs the cluster sizes on the host (one sync per forward: the subset shapes depend on
/// the data). A cluster with no rows is skipped. A cluster with a single row in training runs its tower in evaluation
/// mode for that call (running statistics, no dropout, no statistics update), because BatchNorm cannot take batch
/// statistics from one row.</para>
/// <para><b>Regularisation</b>: an explicit penalty λ·Σw² (option <c>l2_reg</c>, 1e-5) on the embedding tables, the
/// linear term's weight and every Linear weight of the towers, added with <see cref="ScenarioModel.AddLoss"/>. To avoid
/// regularising them twice, those parameters form a parameter group with weight decay 0; the rest (biases,
/// BatchNorm affine parameters) keeps the trainer's coupled weight decay. With <c>l2_reg</c> 0 there is no penalty and
/// every parameter takes the trainer's weight decay.</para>
/// </remarks>
public sealed class AdlPaper : ScenarioModel
{
    static readonly WidthsOption TowerDims = ModelOption.Widths("tower_dims", "hidden widths of each cluster's MLP tower (a STAR-style output layer follows)",
        new(movielens: [64, 64], kuairand: [64, 64], aliccp: [256, 128, 64, 32, 16, 8], amazon: [64, 64], douban: [64, 64], mind: [64, 64]));
    static readonly NumberOption DropoutRate = ModelOption.Number("dropout", "dropout after each hidden layer of the towers", PerPreset<double>.Same(0.2), min: 0, max: 0.99);
    static readonly NumberOption L2 = ModelOption.Number("l2_reg",
        "explicit L2 penalty λ·Σw² on embeddings, linear term and tower weights (they then get no coupled weight decay; 0: none)", PerPreset<double>.Same(1e-5), min: 0);

    public static IReadOnlyList<ModelOption> Options { get; } =
        [ScenarioInputFeatures.Exclude, TowerDims, .. AdlOptions.RoutingOptions, DropoutRate, L2];

    readonly FeatureEmbedding embedding;
    readonly Linear linear;
    readonly ModuleList<MlpBlock> cluster_towers = new();
    readonly ModuleList<Linear> cluster_outputs = new();
    readonly Linear shared_output;
    readonly double _momentum;
    readonly int _iterations;
    readonly double _l2;

    public AdlPaper(ModelContext context, Settings options) : base("ADL-Paper")
    {
        var towerDims = TowerDims.Read(context, options);
        (int clusters, _momentum, _iterations) = AdlOptions.ReadRouting(context, options);
        double dropout = DropoutRate.Read(context, options);
        _l2 = L2.Read(context, options);
        embedding = AdlOptions.Embedding(context, options);
        int d = embedding.OutputDim;
        // The towers' summed output biases already give the intercept: the linear term has none.
        linear = Linear(d, 1, hasBias: false);
        for (int k = 0; k < clusters; k++)
        {
            cluster_towers.Add(new MlpBlock(d, towerDims, outputLayer: false, dropout));
            cluster_outputs.Add(Linear(cluster_towers[k].OutputDim, 1));
        }
        shared_output = Linear(cluster_towers[0].OutputDim, 1);
        register_buffer(AdaptDhm.CentresBuffer, AdlOptions.InitialCentres(clusters, d), persistent: true);
        RegisterComponents();
    }

    public override IReadOnlyCollection<string> StateKeptAtRestore => [AdaptDhm.CentresBuffer];

    public override Tensor forward(ScenarioBatch batch)
    {
        var x = embedding.forward(batch);                                    // (B, D)
        var cluster = Route(x.detach());                                     // (B) int64
        var logit = RoutedTowers(x, cluster) + linear.forward(x).squeeze(1);
        if (training && _l2 > 0) AddLoss("l2", _l2 * stack(Penalised().Select(p => p.square().sum())).sum());
        return sigmoid(logit);
    }

    public override IReadOnlyList<ParameterGroup> ParameterGroups()
    {
        if (_l2 == 0) return base.ParameterGroups();
        var penalised = Penalised().ToList();
        var handles = penalised.Select(p => p.Handle).ToHashSet();
        return
        [
            new ParameterGroup("l2_penalised", penalised, WeightDecay: 0),
            new ParameterGroup("rest", [.. parameters().Where(p => !handles.Contains(p.Handle))]),
        ];
    }

    /// <summary>Parameters under the explicit L2 penalty: embedding tables, the linear term, every tower Linear weight.</summary>
    IEnumerable<Parameter> Penalised() =>
        embedding.parameters()
            .Append(linear.weight!)
            .Concat(cluster_towers.modules().OfType<Linear>().Select(l => l.weight!))
            .Concat(cluster_outputs.Select(l => l.weight!))
            .Append(shared_output.weight!);

    /// <summary>Hard cluster of every row by iterative routing; then moves the centres once (every call).</summary>
    Tensor Route(Tensor x)
    {
        using var _ = no_grad();
        var centres = get_buffer(AdaptDhm.CentresBuffer)!;
        var estimate = centres;
        Tensor responsibility = null!;
        for (int i = 0; i < _iterations; i++)
        {
            responsibility = softmax(x.matmul(estimate.t()), 1);                          // (B, K)
            estimate = functional.normalize(responsibility.t().matmul(x), p: 2, dim: 1);  // (K, D)
        }
        var cluster = responsibility.argmax(1);
        centres.copy_(functional.normalize(_momentum * centres + (1 - _momentum) * estimate, p: 2, dim: 1));
        return cluster;
    }

    /// <returns>(B) each row's logit from its own cluster's tower, in row order.</returns>
    Tensor RoutedTowers(Tensor x, Tensor cluster)
    {
        int clusters = cluster_towers.Count;
        // The one host sync: subset sizes decide the shapes each tower sees.
        var sizes = bincount(cluster, minlength: clusters).cpu().data<long>().ToArray();
        var (_, order) = cluster.sort(stable: true);                         // rows grouped by cluster
        var pieces = new List<Tensor>(clusters);
        long start = 0;
        for (int k = 0; k < clusters; k++)
        {
            if (sizes[k] == 0) continue;
            var rows = order.narrow(0, start, sizes[k]);
            pieces.Add(ClusterLogit(k, x.index_select(0, rows), sizes[k]));
            start += sizes[k];
        }
        var grouped = pieces.Count == 1 ? pieces[0] : cat(pieces);
        return grouped.index_select(0, order.argsort());                     // back to row order
    }

    Tensor ClusterLogit(int k, Tensor rows, long count)
    {
        var tower = cluster_towers[k];
        bool singleRowTraining = training && count == 1;
        if (singleRowTraining) tower.eval();
        var h = tower.forward(rows);
        if (singleRowTraining) tower.train();
        var weight = cluster_outputs[k].weight! * shared_output.weight!;    // (1, h): STAR-style last layer
        var bias = cluster_outputs[k].bias! + shared_output.bias!;
        return functional.linear(h, weight, bias).squeeze(1);
    }
}
