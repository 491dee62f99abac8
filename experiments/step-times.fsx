// Median, lower quartile and minimum wall time of whole training steps (gather, forward, loss, backward, Adam step,
// loss read) per model on the MovieLens-1M twin: the quick A/B for a speed change, steadier than epoch times on a
// shared machine (docs/performance.md). Prints how OpenMP waits in this process.
//
//   ./run.sh                      (or: dotnet build dsl/Msr.Cli -c Release)
//   dotnet fsi experiments/step-times.fsx -- --models SharedBottom,STAR [--steps 40] [--threads 2] [--rows 1000000]
//                                             [--every-branch-too [--rounds 2]]
// --every-branch-too times each model also with every scenario branch on every row (the reference's compute-all form,
// ScenarioModel.EveryBranchOnEveryRow), interleaved with the routed form for --rounds rounds: the A/B of routing.
#load "Twin.fsx" "ScriptArgs.fsx"

open System.Diagnostics
open TorchSharp
open Msr.Core.Models
open ScriptArgs

let models = (text "--models" "SharedBottom" all).Split(',')
let steps = number "--steps" 40 all
Msr.Core.Native.TorchRuntime.SetThreadsOnce(number "--threads" 2 all)
printfn "%d threads; %s" Msr.Core.Native.TorchRuntime.Threads Msr.Core.Native.TorchRuntime.OpenMpWaitingChoice

let data, split = Twin.load (number "--rows" 1_000_000 all)
let warmUp = 5

let everyBranchToo = has "--every-branch-too" all
let rounds = if everyBranchToo then number "--rounds" 2 all else 1

let time (name: string) (everyBranch: bool) =
    torch.manual_seed 2022L |> ignore
    use model = ModelRegistry.Create(name, ModelContext(data.Data.Schema, "movielens"), Msr.Core.Settings())
    model.EveryBranchOnEveryRow <- everyBranch
    model.train()
    use optimizer = torch.optim.Adam(model.parameters(), 1e-3, weight_decay = 1e-5)
    use shuffle = new torch.Generator(1UL)
    let times = ResizeArray<float>()
    for slice in Msr.Core.Data.BatchPlan.Slices(split.Train, 4096, shuffle, true) |> Seq.truncate (steps + warmUp) do
        use indices = slice
        use scope = torch.NewDisposeScope()
        let clock = Stopwatch.StartNew()
        let batch = data.Data.Gather indices
        let loss = torch.nn.functional.binary_cross_entropy(model.forward batch, batch.Label)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step() |> ignore
        loss.item<float32>() |> ignore
        times.Add clock.Elapsed.TotalMilliseconds
    let sorted = times |> Seq.skip warmUp |> Seq.sort |> Array.ofSeq
    let label = if everyBranchToo then (if everyBranch then name + " (every row)" else name + " (routed)") else name
    printfn "%-26s median %6.1f ms  p25 %6.1f  min %6.1f  (%d steps of 4,096 rows)" label sorted.[sorted.Length / 2] sorted.[sorted.Length / 4] sorted.[0] sorted.Length

for round in 1 .. rounds do
    if rounds > 1 then printfn "round %d" round
    for name in models do
        time name false
        if everyBranchToo then time name true
