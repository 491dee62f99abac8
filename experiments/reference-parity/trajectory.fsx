// Msr's half of the trajectory check (docs/fidelity.md, "Same start, same batches"): one seed of one model trained
// exactly as `msr train -d movielens-100k` trains it (the same split, initial weights, batch order and trainer), with
// what the reference side needs to train from the same start: the run's seed and protocol (run.json), the initial
// state dict (w.*.npy), the split (split.*.npy), every epoch's batch order (order.<epoch>.npy, dataset row ids, batches of 4,096 in that order) and
// Msr's own per-epoch figures (trajectory.json: training loss, validation and test AUC and logloss after each epoch).
// trajectory.py then trains the reference's own model class with the reference's own trainer from the same weights
// on the same batches and prints both trajectories side by side. Early stopping is off (patience = the budget), so
// both sides run every epoch and the whole curve is compared.
//
//   dotnet build dsl/Msr.Cli -c Release
//   dotnet fsi experiments/reference-parity/trajectory.fsx -- --model HAMUR --seed 2022 --epochs 8 \
//       --data ../shared/data/movielens-100k --out /tmp/trajectory/hamur-2022
#load "../ScriptArgs.fsx"
#load "Npy.fsx"
#load "RunStart.fsx"

open System.IO
open System.Text.Json
open TorchSharp
open Msr.Core
open Msr.Core.Data
open Msr.Core.Training
open ScriptArgs

let modelName = text "--model" "HAMUR" all
let dataFolder = text "--data" "../shared/data/movielens-100k" all
let seed = int64 (number "--seed" 2022 all)
let epochs = number "--epochs" 8 all
let outDir = text "--out" (Path.Combine(Path.GetTempPath(), "msr-trajectory", $"{modelName.ToLowerInvariant()}-{seed}")) all
Msr.Core.Native.TorchRuntime.SetThreadsOnce(number "--threads" 1 all)
Directory.CreateDirectory outDir |> ignore
let writeNpy = Npy.write outDir

// As ExperimentRunner.Execute prepares a run, with the dataset's protocol defaults for the trainer.
let loaded, split, model = RunStart.prepare modelName dataFolder seed
let data = loaded.Data
let options = TrainerOptions.From(Settings(readOnlyDict [ "epochs", string epochs; "patience", string epochs ]), loaded.Loader.Defaults)

for KeyValue(name, t) in model.state_dict() do writeNpy ("w." + name) t
writeNpy "split.train" split.Train
writeNpy "split.validation" split.Validation
writeNpy "split.test" split.Test
File.WriteAllText(Path.Combine(outDir, "run.json"),
    JsonSerializer.Serialize(Map [ "model", box modelName; "seed", box seed; "batch_size", box options.BatchSize
                                   "lr", box options.LearningRate; "weight_decay", box options.WeightDecay ]))
File.WriteAllText(Path.Combine(outDir, "features.txt"),
    System.String.Join("\n", data.Schema.SparseFeatures |> Seq.map (fun f -> $"{f.Name} {f.Vocabulary} {f.EmbeddingDim}")))

// The batch order the trainer will draw: its shuffle generator replayed, one permutation per epoch, cut as it cuts.
// (A model that drew from that generator in its epoch callback would shift later epochs; HAMUR and the benchmark's
// other MovieLens models do not.)
do
    use replay = new torch.Generator(Trainer.ShuffleSeed seed)
    for epoch in 1 .. epochs do
        let slices = BatchPlan.Slices(split.Train, options.BatchSize, replay, mergeSingleRowTail = true) |> List.ofSeq
        writeNpy $"order.{epoch}" (torch.cat(slices |> List.toArray, 0L))
        writeNpy $"batches.{epoch}" (torch.tensor(slices |> List.map (fun s -> s.shape[0]) |> List.toArray, torch.int64))
        slices |> List.iter (fun s -> s.Dispose())

let rows = ResizeArray<Map<string, obj>>()
let progress (p: EpochProgress) =
    // Evaluation leaves no trace on the model (eval mode, no generator draws), so the test split can be scored each epoch.
    let test = Trainer.Evaluate(model, data, split.Test, options.BatchSize)
    let r = p.Record
    rows.Add(Map [ "epoch", box p.Epoch; "train_loss", box r.TrainLoss
                   "val_auc", box r.ValidationAuc.Value; "val_logloss", box r.ValidationLogLoss.Value
                   "test_auc", box test.Overall.Auc.Value; "test_logloss", box test.Overall.LogLoss.Value ])
    printfn "epoch %2d  train loss %.6f  val AUC %.6f logloss %.6f  test AUC %.6f logloss %.6f"
        p.Epoch r.TrainLoss r.ValidationAuc.Value r.ValidationLogLoss.Value test.Overall.Auc.Value test.Overall.LogLoss.Value
Trainer.Fit(model, data, split, options, seed, progress) |> ignore
File.WriteAllText(Path.Combine(outDir, "trajectory.json"), JsonSerializer.Serialize(rows))
printfn "wrote %s" outDir
