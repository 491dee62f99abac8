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
