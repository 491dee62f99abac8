// One side of the parity check against the reference's own model code (docs/fidelity.md, "Parity with shared
// weights"): trains an Msr model for one epoch on MovieLens-100K, then writes its state dict, one 512-row test batch,
// the eval-mode predictions on it, the gradients of the BCE loss on that batch, and the same in training mode (predictions,
// gradients, state after the forward) as NumPy .npy files. The
// parity_<model>.py scripts load the same weights into the reference's model and compare.
//
//   dotnet build dsl/Msr.Cli -c Release
//   dotnet fsi experiments/reference-parity/export.fsx -- --model M2M --data ../shared/data/movielens-100k --out /tmp/parity/m2m [--epochs 1]
//   [--no-dense]   (HierRec, compared by parity_hierrec.py with the official HierRec code)
#load "../ScriptArgs.fsx"
#load "Npy.fsx"
#load "RunStart.fsx"

open System
open System.IO
open TorchSharp
open Msr.Core.Training
open ScriptArgs

let modelName = text "--model" "M2M" all
let dataFolder = text "--data" "../shared/data/movielens-100k" all
let outDir = text "--out" (Path.Combine(Path.GetTempPath(), "msr-parity", modelName.ToLowerInvariant())) all
let seed = int64 (number "--seed" 2022 all)
Msr.Core.Native.TorchRuntime.SetThreadsOnce(1)
Directory.CreateDirectory outDir |> ignore

let writeNpy = Npy.write outDir

// --no-dense: without MovieLens' dense age, for a model whose official code has no dense input (HierRec).
let data, split, model =
    if has "--no-dense" all then RunStart.prepareWithoutDense modelName dataFolder seed
    else let loaded, split, model = RunStart.prepare modelName dataFolder seed in loaded.Data, split, model
// One epoch at a small batch by default, so that weights and BatchNorm statistics are no longer at their initial
// values; --epochs 0 keeps the initial model (AdaptDHM's centres collapse onto one direction within the first epoch,
// after which its routing is decided by rounding, so its training-mode check needs the untrained model).
let epochs = number "--epochs" 1 all
if epochs > 0 then
    let history = Trainer.Fit(model, data, split, TrainerOptions(Epochs = epochs, BatchSize = 512), seed)
    printfn "%s: trained %d epoch(s) at batch 512, validation AUC %.4f" modelName epochs (Seq.last history.Epochs).ValidationAuc.Value

model.eval()
let batch = data.Gather(split.Test.narrow(0, 0L, 512L))
let prediction = model.forward batch
let loss = torch.nn.functional.binary_cross_entropy(prediction, batch.Label)
model.zero_grad()   // training leaves the last step's gradients behind
loss.backward()
for KeyValue(name, t) in model.state_dict() do writeNpy ("w." + name) t
for (name, p) in model.named_parameters() do if not (isNull p.grad) then writeNpy ("g." + name) p.grad
writeNpy "batch.sparse" batch.Sparse
writeNpy "batch.scenario" batch.Scenario
if batch.Dense.shape[1] > 0L then writeNpy "batch.dense" batch.Dense
writeNpy "batch.label" batch.Label
writeNpy "pred" prediction
File.WriteAllText(Path.Combine(outDir, "features.txt"),
    String.Join("\n", data.Schema.SparseFeatures |> Seq.map (fun f -> $"{f.Name} {f.Vocabulary} {f.EmbeddingDim}")))
printfn "eval-mode loss on the batch %.6f; %d state entries written to %s" (loss.item<float32>()) (model.state_dict().Count) outDir

// Then the same batch in training mode: the training forward (BatchNorm batch statistics and running-statistic
// updates, a model's own state updates such as AdaptDHM's centres) and its gradients. No optimiser step: Adam's first
// step is about lr·sign(g), which turns rounding noise in near-zero gradients into full-size differences.
model.train()
model.zero_grad()
let trainPrediction = model.forward batch
let mutable total = torch.nn.functional.binary_cross_entropy(trainPrediction, batch.Label)
for term in model.TakeLossTerms() do total <- total + term.Value
total.backward()
writeNpy "train.pred" trainPrediction
for (name, p) in model.named_parameters() do if not (isNull p.grad) then writeNpy ("tg." + name) p.grad
for KeyValue(name, t) in model.state_dict() do writeNpy ("s." + name) t
printfn "training-mode loss on the batch %.6f" (total.item<float32>())
