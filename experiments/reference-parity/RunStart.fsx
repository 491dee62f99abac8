/// The start of one MovieLens-100K run as ExperimentRunner prepares it: the data, the split drawn from the run seed,
/// then the global generator seeded right before the model is built (the protocol's preset, default options). The
/// parity and trajectory scripts both start here, so their weights are those `msr train` would begin from.
module RunStart

open Msr.Core
open Msr.Core.Data
open Msr.Core.Experiments
open Msr.Core.Models

let prepare (modelName: string) (dataFolder: string) (seed: int64) =
    let loaded = LoadedDataset.Load("movielens-100k", dataFolder, readOnlyDict [], null)
    let split = DatasetSplit.Random(loaded.Data.Count, seed)
    TorchSharp.torch.manual_seed seed |> ignore
    let model = ModelRegistry.Create(modelName, ModelContext(loaded.Data.Schema, loaded.Loader.Defaults.ModelPreset), Settings())
    loaded, split, model

/// The same start without the dataset's dense value (MovieLens' age): for a model whose official code takes
/// categorical fields only (HierRec's), so that both sides see the same input. Returns the dataset, not the load.
let prepareWithoutDense (modelName: string) (dataFolder: string) (seed: int64) =
    let loaded = LoadedDataset.Load("movielens-100k", dataFolder, readOnlyDict [], null)
    let full = loaded.Data
    let schema = DatasetSchema([ for f in full.Schema.Features do if f.Kind <> FeatureKind.Dense then f ], full.Schema.ScenarioNames,
                               userFeature = full.Schema.UserFeature)
    let data = new ScenarioDataset(full.Name, schema, full.Sparse, full.Dense.narrow(1, 0L, 0L), full.Scenario, full.Label)
    let split = DatasetSplit.Random(data.Count, seed)
    TorchSharp.torch.manual_seed seed |> ignore
    let model = ModelRegistry.Create(modelName, ModelContext(schema, loaded.Loader.Defaults.ModelPreset), Settings())
    data, split, model
