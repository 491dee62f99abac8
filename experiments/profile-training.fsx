// Where a training step's time goes: a stopwatch breakdown of gather, forward, the divergence check, loss,
// zero_grad, backward, optimiser step and the loss read, over whole epochs of a MovieLens-1M-shaped twin
// (docs/performance.md). CPU ops are synchronous, so each phase's wall time is its own.
//
//   ./run.sh                      (or: dotnet build dsl/Msr.Cli -c Release)
//   dotnet fsi experiments/profile-training.fsx [-- --model SharedBottom] [--rows 1000000] [--threads 2] [--epochs 2] [--batch 4096]
#load "Twin.fsx" "ScriptArgs.fsx"

open System
open System.Diagnostics
open TorchSharp
open Msr.Core
open Msr.Core.Data
open Msr.Core.Models
open Msr.Core.Training
open ScriptArgs

let modelName = text "--model" "SharedBottom" all
let rows = number "--rows" 1_000_000 all
let batchSize = number "--batch" 4096 all
Msr.Core.Native.TorchRuntime.SetThreadsOnce(number "--threads" 2 all)

let data, split = Twin.load rows
torch.manual_seed 2022L |> ignore
let model = ModelRegistry.Create(modelName, ModelContext(data.Data.Schema, "movielens"), Settings())
let optimizer = torch.optim.Adam(model.parameters(), 1e-3, weight_decay = 1e-5)
let shuffle = new torch.Generator(1UL)
let phases = Collections.Generic.Dictionary<string, float>()
let time name (f: unit -> 'a) =
    let clock = Stopwatch.StartNew()
    let result = f ()
    phases.[name] <- (match phases.TryGetValue name with | true, v -> v | _ -> 0.0) + clock.Elapsed.TotalSeconds
    result

let trainRows = float split.Train.shape.[0]
for epoch in 1 .. number "--epochs" 2 all do
    phases.Clear()
    model.train()
    let clock = Stopwatch.StartNew()
    for slice in BatchPlan.Slices(split.Train, batchSize, shuffle, true) do
        use indices = slice
        use scope = torch.NewDisposeScope()
        let batch = time "gather" (fun () -> data.Data.Gather indices)
        let p = time "forward" (fun () -> model.forward batch)
        time "divergence check" (fun () -> p.isfinite().all().item<bool>() |> ignore)
        let loss = time "loss" (fun () -> torch.nn.functional.binary_cross_entropy(p, batch.Label))
        time "zero_grad" (fun () -> optimizer.zero_grad())
        time "backward" (fun () -> loss.backward())
        time "optimizer step" (fun () -> optimizer.step() |> ignore)
        time "loss read" (fun () -> loss.item<float32>() |> ignore)
    let total = clock.Elapsed.TotalSeconds
    printfn "%s epoch %d: %.2f s, %.0f samples/s, batch %d, %d threads" modelName epoch total (trainRows / total) batchSize Msr.Core.Native.TorchRuntime.Threads
    for kv in phases |> Seq.sortByDescending (fun kv -> kv.Value) do
        printfn "  %-17s %6.3f s  %5.1f%%" kv.Key kv.Value (100.0 * kv.Value / total)
    printfn "  %-17s %6.3f s  %5.1f%%" "other (slicing, scopes)" (total - Seq.sum phases.Values) (100.0 * (total - Seq.sum phases.Values) / total)
