/// The start of one MovieLens-100K run as ExperimentRunner prepares it: the data, the split drawn from the run seed,
/// then the global generator seeded right before the model is built (the protocol's preset, default options). The
/// parity and trajectory scripts both start here, so their weights are those `msr train` would begin from.
module RunStart

open Msr.Core
open Msr.Core.Data
open Msr.Core.Experiments
open Msr.Core.Models

let private load (dataFolder: string) = LoadedDataset.Load("movielens-100k", dataFolder, readOnlyDict [], null)

/// The split, then the model built right after seeding the global generator, as a run does.
let private start (modelName: string) (data: ScenarioDataset) (preset: string) (seed: int64) =
    let split = DatasetSplit.Random(data.Count, seed)
    TorchSharp.torch.manual_seed seed |> ignore
    split, ModelRegistry.Create(modelName, ModelContext(data.Schema, preset), Settings())

let prepare (modelName: string) (dataFolder: string) (seed: int64) =
    let loaded = load dataFolder
    let split, model = start modelName loaded.Data loaded.Loader.Defaults.ModelPreset seed
    loaded, split, model

/// The same start without the dataset's dense value (MovieLens' age): for a model whose official code takes
/// categorical fields only (HierRec's), so that both sides see the same input. Returns the dataset, not the load.
let prepareWithoutDense (modelName: string) (dataFolder: string) (seed: int64) =
    let loaded = load dataFolder
    let full = loaded.Data
    let schema = DatasetSchema([ for f in full.Schema.Features do if f.Kind <> FeatureKind.Dense then f ], full.Schema.ScenarioNames,
                               userFeature = full.Schema.UserFeature)
    let data = new ScenarioDataset(full.Name, schema, full.Sparse, full.Dense.narrow(1, 0L, 0L), full.Scenario, full.Label)
    let split, model = start modelName data loaded.Loader.Defaults.ModelPreset seed
    data, split, model
