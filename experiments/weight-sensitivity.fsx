// How far a model's predictions move when its weights move by rounding alone: each model trains for 2 epochs on a
// MovieLens-1M-shaped twin, then every weight is multiplied by 1 ± 1e-7 (random per element, about one float32 ulp)
// and the same test rows are predicted again. A smooth model moves by ~1e-7; one that picks a branch per row by an
// argmax over near-tied scores (ADL-Paper's routing) moves some rows by far more. That is why ADL-Paper's
// predictions differ between CUDA and the CPU with the same weights (docs/performance.md, "Devices").
//
//   ./run.sh                      (or: dotnet build dsl/Msr.Cli -c Release)
//   dotnet fsi experiments/weight-sensitivity.fsx -- --models SharedBottom,ADL,ADL-Paper [--rows 20000] [--threads 2]
#load "Twin.fsx" "ScriptArgs.fsx"

open TorchSharp
open Msr.Core.Models
open Msr.Core.Training
open ScriptArgs

Msr.Core.Native.TorchRuntime.SetThreadsOnce(number "--threads" 2 all)
let data, split = Twin.load (number "--rows" 20_000 all)
let options = TrainerOptions.From(Msr.Core.Settings(dict [ "epochs", "2"; "batch_size", "1024" ]), Msr.Core.Data.ProtocolDefaults())

for name in (text "--models" "SharedBottom,ADL,ADL-Paper" all).Split(',') do
    torch.manual_seed 7L |> ignore
    use model = ModelRegistry.Create(name, ModelContext(data.Data.Schema, "movielens"), Msr.Core.Settings())
    Trainer.Fit(model, data.Data, split, options, 7L) |> ignore
    // Prediction may move state (ADL-Paper's centres): both passes start from the trained state.
    use trained = ModelSnapshot.Capture(model)
    let before = Trainer.Predict(model, data.Data, split.Test, 1024)
    trained.Restore(model)
    torch.manual_seed 1L |> ignore
    using (torch.no_grad ()) (fun _ ->
        for p in model.parameters () do
            use factor = torch.rand_like p * torch.tensor 2e-7 + torch.tensor (1.0 - 1e-7)
            p.mul_ factor |> ignore)
    let after = Trainer.Predict(model, data.Data, split.Test, 1024)
    let moved = Array.map2 (fun (a: float) b -> abs (a - b)) before after
    printfn "%-12s max |Δp| %.2e; rows moved by more than 1e-4: %d of %d"
        name (Array.max moved) (moved |> Array.filter (fun d -> d > 1e-4) |> Array.length) moved.Length
