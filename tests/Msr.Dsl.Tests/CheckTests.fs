/// `msr check` end to end, on real tiny trainings: a rerun of the same code with new seeds passes, a deliberately
/// weakened model (BaseDNN with dropout 0.99 after every hidden layer) fails.
module Msr.Dsl.Tests.CheckTests

open System
open System.IO
open Expecto

let private msr (args: string list) =
    use out = new StringWriter()
    use err = new StringWriter()
    let code = Msr.Cli.Program.execute (Array.ofList args) out err
    code, out.ToString(), err.ToString()

let private tempFolder () = Path.Combine(Path.GetTempPath(), "msr-check-" + Guid.NewGuid().ToString("N"))

/// Easy synthetic data (strong shared signal, no label noise): BaseDNN reaches AUC ≈ 0.88 in 3 epochs with a spread of
/// about 0.002 over seeds, while dropout 0.99 leaves it near 0.5 (checked over seeds 1-4).
let private train (folder: string) (extra: string list) seed =
    let code, _, err =
        msr ([ "train"; "-d"; "synthetic"; "-m"; "basedNN"; "--seed"; string seed; "--epochs"; "3"; "--batch-size"; "128"
               "--trainer"; "lr=0.01"; "--data"; "rows=3000"; "--data"; "users=50"; "--data"; "items=50"
               "--data"; "shared_signal=3"; "--data"; "scenario_signal=0.5"; "--data"; "label_noise=0"; "--results"; folder ]
             @ extra)
    if code <> 0 then failwithf "training seed %d failed: %s" seed err

let private grid (extra: string list) seeds =
    let folder = tempFolder ()
    for s in seeds do train folder extra s
    folder

/// Trained once for all tests below (9 tiny runs).
let private folders =
    lazy
        (grid [] [ 1; 2; 3 ], grid [] [ 11; 12; 13 ], grid [ "--set"; "dropout=0.99" ] [ 11; 12; 13 ])

let private check baseline current (extra: string list) =
    msr ([ "check"; "--baseline"; baseline; "--current"; current; "--metric"; "auc"; "--margin"; "0.05" ] @ extra)

[<Tests>]
let checks =
    testList "msr check" [
        test "a rerun of the same code with new seeds passes" {
            let baseline, rerun, _ = folders.Force()
            let code, out, err = check baseline rerun []
            Expect.equal code 0 (sprintf "exit 0; stdout:\n%s\nstderr: %s" out err)
            Expect.stringContains out "Result: PASS" "verdict"
            Expect.stringContains out "| synthetic | overall | BaseDNN | auc ↑ | 3/3 |" "table row"
        }
        test "a weakened model is a configuration mismatch, named, unless the field is ignored; then it fails" {
            let baseline, _, weak = folders.Force()
            let code, out, _ = check baseline weak []
            Expect.equal code 2 "exit 2: the configurations differ"
            Expect.stringContains out "model_options.dropout: baseline 0, current 0.99" "names the field"
            let code, out, err = check baseline weak [ "--ignore"; "model_options.dropout" ]
            Expect.equal code 1 (sprintf "exit 1; stdout:\n%s\nstderr: %s" out err)
            Expect.stringContains out "FAIL: worse" "verdict per cell"
            Expect.stringContains out "Result: FAIL" "overall verdict"
        }
        test "unusable input exits 2 with the reason" {
            let baseline, rerun, _ = folders.Force()
            let missing = tempFolder ()
            let code, _, err = check baseline missing []
            Expect.equal code 2 "missing folder"
            Expect.stringContains err missing "names the folder"
            let code, _, err = check baseline rerun [ "--test"; "sign" ]
            Expect.equal code 2 "unknown test"
            Expect.stringContains err "Tests: welch, mann-whitney" "lists the tests"
            let code, out, _ = check baseline rerun [ "--test"; "mann-whitney" ]
            Expect.equal code 2 "3 vs 3 seeds cannot pass Mann-Whitney"
            Expect.stringContains out "cannot reach a p-value below" "says why"
        }
    ]
