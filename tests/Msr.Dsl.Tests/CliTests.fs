module Msr.Dsl.Tests.CliTests

open System
open System.IO
open Expecto

/// Runs the CLI in process; returns (exit code, stdout, stderr).
let private msr (args: string list) =
    use out = new StringWriter()
    use err = new StringWriter()
    let code = Msr.Cli.Program.execute (Array.ofList args) out err
    code, out.ToString(), err.ToString()

let private smallTrain (results: string) seed =
    [ "train"; "--dataset"; "synthetic"; "--model"; "star"; "--seed"; string seed; "--epochs"; "2"; "--batch-size"; "256"
      "--data"; "rows=2000"; "--data"; "users=100"; "--data"; "items=80"; "--results"; results ]

/// Three users (one per age scenario) rating two films, in the ML-1M file format.
let private tinyMovieLens () =
    let folder = Path.Combine(Path.GetTempPath(), "msr-cli-" + Guid.NewGuid().ToString("N"))
    Directory.CreateDirectory folder |> ignore
    File.WriteAllText(Path.Combine(folder, "users.dat"), "1::F::1::10::48067\n2::M::25::16::70072\n3::M::35::15::55117\n")
    File.WriteAllText(Path.Combine(folder, "movies.dat"), "1::A (1995)::Comedy\n2::B (1995)::Drama\n")
    File.WriteAllText(Path.Combine(folder, "ratings.dat"), "1::1::5::300\n1::2::3::100\n2::1::4::50\n3::2::2::10\n")
    folder

[<Tests>]
let cli =
    testList "msr command line" [
        test "models lists every registered model with its paper" {
            let code, out, _ = msr [ "models" ]
            Expect.equal code 0 "exit 0"
            for m in Msr.Core.Models.ModelRegistry.All do Expect.stringContains out (sprintf "| %s " m.Name) "listed"
            let adaSparse = out.Split('\n') |> Array.find (fun l -> l.StartsWith "| AdaSparse ")
            Expect.stringContains adaSparse "| Yang et al., CIKM 2022 " "paper column"
        }
        test "models <name> prints each option with its meaning and defaults per preset" {
            let code, out, _ = msr [ "models"; "adasparse" ]
            Expect.equal code 0 "exit 0"
            let lines = out.Split('\n') |> Array.map (fun l -> l.TrimEnd())
            Expect.equal lines.[0] "AdaSparse: MLP whose input and hidden neurons are re-weighted per row by pruners reading the scenario embedding" "title"
            Expect.equal lines.[1] "paper: Yang et al., CIKM 2022" "paper"
            // Defaults differ by preset: one column per preset; a choice shows its choices.
            let row name = lines |> Array.find (fun l -> l.StartsWith(sprintf "| %s " name)) |> fun l -> l.Split('|') |> Array.map (fun c -> c.Trim()) |> Array.filter ((<>) "")
            Expect.equal (row "exclude_features").[3..] [| "[]"; "[]"; "[301]"; "[]"; "[]"; "[]" |] "exclude_features per preset"
            Expect.equal (row "form").[1] "choice: fusion, binarization, scaling" "choices"
            // Every option agrees across presets: one default column.
            let _, sarNet, _ = msr [ "models"; "SAR-Net" ]
            Expect.isTrue (sarNet.Split('\n') |> Array.exists (fun l -> l.StartsWith "| option ") && not (sarNet.Contains "| movielens")) "one default column"
            Expect.stringContains sarNet "| default |" "default column"
        }
        test "models <unknown> is an error listing the models" {
            let code, _, err = msr [ "models"; "NoSuchNet" ]
            Expect.equal code 2 "exit 2"
            Expect.stringContains err "error: unknown model 'NoSuchNet'; available: BaseDNN, DeepFM, SharedBottom" "lists the models"
        }
        test "datasets list shows the loaders and their options" {
            let code, out, _ = msr [ "datasets"; "list" ]
            Expect.equal code 0 "exit 0"
            Expect.stringContains out "synthetic" "listed"
            let lines = out.Split('\n') |> Array.map (fun l -> l.TrimEnd())
            Expect.contains lines "csv options (--data name=value):" "a loader's options heading"
            Expect.contains lines "  label (text, required): the 0/1 click column, or a numeric one with label_threshold" "one option, one line"
        }
        test "train prints a per-scenario table, epochs and speed" {
            let folder = Path.Combine(Path.GetTempPath(), "msr-cli-" + Guid.NewGuid().ToString("N"))
            let code, out, err = msr (smallTrain folder 1)
            Expect.equal code 0 ("exit 0; stderr: " + err)
            for s in [ "scenario0"; "scenario1"; "scenario2"; "overall"; "positive rate"; "AUC"; "logloss"; "epochs run: 2"; "s/epoch"; "samples/s" ] do
                Expect.stringContains out s "in the output"
            Expect.equal (Directory.GetFiles(folder, "*.json").Length) 1 "a record is written"
        }
        test "the same seed twice prints identical metrics" {
            let tableOf (text: string) = text.Split('\n') |> Array.filter (fun l -> l.StartsWith "| scenario" || l.StartsWith "| overall")
            let folderA = Path.Combine(Path.GetTempPath(), "msr-cli-" + Guid.NewGuid().ToString("N"))
            let folderB = Path.Combine(Path.GetTempPath(), "msr-cli-" + Guid.NewGuid().ToString("N"))
            let _, a, _ = msr (smallTrain folderA 7)
            let _, b, _ = msr (smallTrain folderB 7)
            Expect.isNonEmpty (tableOf a) "table rows found"
            Expect.equal (tableOf a) (tableOf b) "identical"
        }
        test "exporting a dataset with a history feature is a clean error, not a crash" {
            let folder = tinyMovieLens ()
            let code, _, err =
                msr [ "datasets"; "export"; "movielens"; folder; "--data"; "history=2"; "-o"; Path.Combine(folder, "out.csv") ]
            Expect.equal code 2 "exit 2"
            Expect.stringContains err "hist_movie_id" "names the feature"
            Expect.isFalse (File.Exists(Path.Combine(folder, "out.csv"))) "nothing written"
        }
        test "datasets stats --paper compares with Table 2, exits 1 on a difference and 2 without a paper row" {
            let folder = tinyMovieLens ()
            let code, out, err = msr [ "datasets"; "stats"; "movielens"; folder; "--paper" ]
            Expect.equal code 1 ("exit 1; stderr: " + err)
            Expect.stringContains out "210,747" "the paper's count"
            Expect.stringContains out "differs from the paper" "verdict"
            let code, _, err = msr [ "datasets"; "stats"; "synthetic"; "--paper" ]
            Expect.equal code 2 "exit 2"
            Expect.stringContains err "no counts for 'synthetic'" "names the dataset"
        }
        test "datasets stats prints per-scenario counts and the coefficient of variation" {
            let code, out, err = msr [ "datasets"; "stats"; "synthetic"; "--data"; "rows=3000" ]
            Expect.equal code 0 ("exit 0; stderr: " + err)
            for s in [ "scenario0"; "Interactions"; "Coefficient of variation" ] do Expect.stringContains out s "in the output"
            let code, out, _ = msr [ "datasets"; "stats"; "synthetic"; "--data"; "rows=3000"; "--format"; "csv" ]
            Expect.equal code 0 "csv exit 0"
            Expect.stringStarts out "dataset,scenario," "a CSV header"
        }
        test "report renders a significance table from a results folder, in every format" {
            let folder = Path.Combine(Path.GetTempPath(), "msr-cli-" + Guid.NewGuid().ToString("N"))
            for seed in [ 1; 2 ] do
                for model in [ "sharedbottom"; "basednn" ] do
                    // users=50: test users get several rows of both classes, so GAUC is defined
                    let code, _, err = msr [ "train"; "-d"; "synthetic"; "-m"; model; "--seed"; string seed; "--epochs"; "1"; "--batch-size"; "256"; "--data"; "rows=1500"; "--data"; "users=50"; "--results"; folder ]
                    Expect.equal code 0 err
            let code, md, err = msr [ "report"; folder ]
            Expect.equal code 0 err
            Expect.stringContains md "Welch t-test" "caption names the test"
            Expect.stringContains md "| SharedBottom |" "a row per model"
            let code, tex, _ = msr [ "report"; folder; "--format"; "latex" ]
            Expect.equal code 0 "latex"
            Expect.stringContains tex "\\toprule" "booktabs"
            let code, json, _ = msr [ "report"; folder; "--format"; "json"; "--vs"; "BaseDNN" ]
            Expect.equal code 0 "json vs baseline"
            Expect.stringContains json "p_value" "p-values in JSON"
            let code, _, err = msr [ "report"; folder; "--vs"; "NoSuchModel" ]
            Expect.equal code 2 "unknown baseline"
            Expect.stringContains err "NoSuchModel" "names it"
            // GAUC (synthetic data declares user_id) and an explicit row order (runs alternate models: SharedBottom first)
            let code, gauc, err = msr [ "report"; folder; "--metric"; "auc"; "gauc"; "--scenario"; "overall"; "--order"; "BaseDNN" ]
            Expect.equal code 0 err
            Expect.stringContains gauc "| Model | overall AUC ↑ | overall GAUC ↑ |" "a GAUC column"
            Expect.isFalse (gauc.Contains "synthetic/overall: gauc of") "every run recorded an overall GAUC"
            Expect.isLessThan (gauc.IndexOf "| BaseDNN |") (gauc.IndexOf "| SharedBottom |") "--order puts BaseDNN first"
            let code, _, err = msr [ "report"; folder; "--order"; "NoSuchModel" ]
            Expect.equal code 2 "unknown model in --order"
            Expect.stringContains err "NoSuchModel" "names it"
        }
        test "report --plots writes learning curves and the scenario-number figure for runs with two scenario counts" {
            let folder = Path.Combine(Path.GetTempPath(), "msr-cli-" + Guid.NewGuid().ToString("N"))
            let plots = Path.Combine(folder, "figures")
            for scenarios in [ 2; 3 ] do
                let code, _, err = msr [ "train"; "-d"; "synthetic"; "-m"; "basednn"; "--seed"; "1"; "--epochs"; "2"; "--batch-size"; "256"
                                         "--data"; "rows=1500"; "--data"; sprintf "scenarios=%d" scenarios; "--results"; folder ]
                Expect.equal code 0 err
            let code, out, err = msr [ "report"; folder; "--format"; "html"; "--plots"; plots; "-o"; Path.Combine(folder, "report.html") ]
            Expect.equal code 0 err
            Expect.stringContains out "figures:" "figures written"
            for name in [ "synthetic-scenario-number-auc"; "synthetic-scenarios-2-learning-val-auc"; "synthetic-scenarios-3-learning-train-loss" ] do
                for ext in [ ".png"; ".svg" ] do
                    Expect.isTrue (File.Exists(Path.Combine(plots, name + ext))) (name + ext)
            let html = File.ReadAllText(Path.Combine(folder, "report.html"))
            Expect.stringContains html "synthetic (scenarios=2)" "a table per scenario count"
            Expect.stringContains html "overall test AUC against the number of scenarios" "scenario-number caption"
            Expect.isFalse (html.Contains "NaN") "no NaN"
        }
        test "train on ML-1M-format files written by MovieLensFileWriter, STAR, one epoch" {
            let folder = Path.Combine(Path.GetTempPath(), "msr-cli-ml-" + Guid.NewGuid().ToString("N"))
            Msr.Core.Data.MovieLens.MovieLensFileWriter.Write(folder, 1500L, 2, 200, 120)
            let results = Path.Combine(folder, "results")
            let code, out, err =
                msr [ "train"; "--dataset"; "movielens"; "--path"; folder; "--model"; "star"; "--epochs"; "1"; "--batch-size"; "256"
                      "--no-cache"; "--results"; results ]
            Expect.equal code 0 ("exit 0; stderr: " + err)
            Expect.stringContains out "STAR on movielens: 1500 rows, 3 scenarios" "header line"
            Expect.stringContains out "epochs run: 1" "one epoch"
            Directory.Delete(folder, true)
        }
        test "bench load generates ML-1M-shaped files and times the three phases" {
            let code, out, err = msr [ "bench"; "load"; "--rows"; "2000" ]
            Expect.equal code 0 ("exit 0; stderr: " + err)
            for s in [ "generated 2000 ML-1M-shaped ratings"; "parse + encode (no cache)"; "cache cold"; "cache warm"; "rows/s"; "peak WS MB"; "cache entry:" ] do
                Expect.stringContains out s "in the output"
            let code, _, err = msr [ "bench"; "load"; "--dataset"; "kuairand" ]
            Expect.equal code 2 "other loaders need --path"
            Expect.stringContains err "--path" "says so"
        }
        test "bench train prints a row per model with speed and parameters" {
            let code, out, err = msr [ "bench"; "train"; "--rows"; "1500"; "--epochs"; "1"; "--model"; "basednn"; "star" ]
            Expect.equal code 0 ("exit 0; stderr: " + err)
            for s in [ "| BaseDNN"; "| STAR"; "train s/epoch (median)"; "samples/s"; "infer ms/batch (median)"; "parameters"
                       "× SharedBottom"; "infer × SharedBottom"; "peak RssAnon MB"; "paper V100 s/epoch"; "Msr ÷ V100" ] do
                Expect.stringContains out s "in the output"
            Expect.isFalse (out.Contains "| MMoE") "only the models asked for"
            Expect.stringContains out "includes warm-up (use --epochs 3)" "a single epoch is flagged as unwarmed"
        }
        test "bench train skips a model that reads histories on data without them, and times it on data with them" {
            let code, out, err = msr [ "bench"; "train"; "--rows"; "1500"; "--epochs"; "1"; "--model"; "SharedBottom"; "SACN" ]
            Expect.equal code 0 ("exit 0; stderr: " + err)
            Expect.stringContains out "SACN skipped: it reads behaviour histories" "the skip, with how to time it"
            Expect.stringContains out "--data history=20 --data history_attributes=" "the options to give"
            Expect.isFalse (out.Contains "| SACN ") "no row"
            let code, out, err =
                msr [ "bench"; "train"; "--rows"; "1500"; "--epochs"; "1"; "--batch-size"; "512"; "--model"; "SACN"
                      "--data"; "history=4"; "--data"; "history_attributes=item_attr1" ]
            Expect.equal code 0 ("exit 0; stderr: " + err)
            Expect.stringContains out "| SACN " "timed with histories"
            let code, _, err = msr [ "bench"; "train"; "--rows"; "1500"; "--epochs"; "1"; "--model"; "SACN" ]
            Expect.equal code 2 "nothing left to time"
            Expect.stringContains err "no model left to time" "says why"
        }
        test "bench train exits 1 when a model fails, with the reason in its row" {
            // Asking for CUDA on a CPU-only build fails every model; where CUDA is usable there is nothing to check.
            Msr.Core.Native.TorchRuntime.EnsureNativeLoaded()
            if not (TorchSharp.torch.cuda.is_available ()) then
                let code, out, _ = msr [ "bench"; "train"; "--rows"; "2000"; "--epochs"; "1"; "--model"; "SharedBottom"; "--device"; "cuda" ]
                Expect.equal code 1 "exit 1: the bench is incomplete"
                Expect.stringContains out "| failed |" "the row says failed"
                Expect.stringContains out "no CUDA device is usable" "and why"
        }
        test "train --device cuda where no GPU is usable is bad input: exit 2, why and how, and no run record" {
            Msr.Core.Native.TorchRuntime.EnsureNativeLoaded()
            if not (TorchSharp.torch.cuda.is_available ()) then
                let results = Path.Combine(Path.GetTempPath(), "msr-cuda-" + Guid.NewGuid().ToString("N"))
                for device in [ [ "--device"; "cuda" ]; [ "--trainer"; "device=cuda" ] ] do
                    let code, _, err = msr (smallTrain results 1 @ device)
                    Expect.equal code 2 "exit 2: bad input"
                    Expect.stringContains err "no CUDA device is usable" "why"
                    Expect.stringContains err "MsrTorchBackend=cuda" "and how to get one"
                Expect.isFalse (Directory.Exists results && Directory.GetFiles(results, "*.json").Length > 0) "no failed record written"
        }
        test "bench train -d aliccp writes the twin once, reuses it, and --steps reports speed and memory over the steps" {
            let folder = Path.Combine(Path.GetTempPath(), "msr-twin-" + Guid.NewGuid().ToString("N"))
            try
                let args = [ "bench"; "train"; "-d"; "aliccp"; "--rows"; "3000"; "--steps"; "2"; "--batch-size"; "256"
                             "--model"; "sharedbottom"; "--twin-folder"; folder ]
                let code, out, err = msr args
                Expect.equal code 0 ("exit 0; stderr: " + err)
                for s in [ "generated the Ali-CCP twin (3000 rows"; "aliccp: 3000 rows, 3 scenarios"; "| SharedBottom"; "samples/s (later steps)"; "RssAnon" ] do
                    Expect.stringContains out s "in the output"
                Expect.isTrue (File.Exists(Path.Combine(folder, "aliccp-twin-3000-seed1.msrcache"))) "the twin is kept in --twin-folder"
                let code, out, err = msr args
                Expect.equal code 0 ("exit 0; stderr: " + err)
                Expect.stringContains out "reused the Ali-CCP twin" "the second run reuses it"
            finally
                if Directory.Exists folder then Directory.Delete(folder, true)
        }
        test "run executes a plan.json: a dry run lists the runs, a run trains them, a second run resumes" {
            let folder = Path.Combine(Path.GetTempPath(), "msr-plan-" + Guid.NewGuid().ToString("N"))
            try
                let plan = Path.Combine(folder, "plan.json")
                let results = Path.Combine(folder, "results")
                Directory.CreateDirectory folder |> ignore
                Msr.Dsl.ExperimentSyntax.experiment "plan file" {
                    dataset (Msr.Dsl.Dataset.synthetic |> Msr.Dsl.Dataset.with' "rows" 600)
                    compare [ "BaseDNN"; "SharedBottom" ]
                    seeds [ 1 ]
                    epochs 1
                    resultsIn results
                }
                |> Msr.Dsl.PlanFile.save plan
                let code, out, err = msr [ "run"; plan; "--dry-run" ]
                Expect.equal code 0 (sprintf "dry run exit 0: %s" err)
                Expect.stringContains out "synthetic-basednn-s1-" "lists a run id"
                Expect.isFalse (Directory.Exists results && Directory.GetFiles(results, "*.json").Length > 0) "dry run trains nothing"
                let code, _, err = msr [ "run"; plan ]
                Expect.equal code 0 (sprintf "run exit 0: %s" err)
                Expect.equal (Directory.GetFiles(results, "*.json").Length) 2 "two records"
                let code, out, _ = msr [ "run"; plan ]
                Expect.equal code 0 "resume exit 0"
                Expect.equal (Directory.GetFiles(results, "*.json").Length) 2 "nothing retrained"
                Expect.stringContains out "2 already" "says they were done"
            finally
                if Directory.Exists folder then Directory.Delete(folder, true)
        }
        test "run exits 1 when a run of the plan failed, after training and recording the others, and again on resume" {
            let folder = Path.Combine(Path.GetTempPath(), "msr-plan-" + Guid.NewGuid().ToString("N"))
            try
                Directory.CreateDirectory folder |> ignore
                let clicks = Path.Combine(folder, "clicks.csv")
                File.WriteAllText(clicks, "user,page,click\nu1,a,1\nu2,b,2\n")
                let plan = Path.Combine(folder, "plan.json")
                let results = Path.Combine(folder, "results")
                Msr.Dsl.ExperimentSyntax.experiment "one bad dataset" {
                    dataset (Msr.Dsl.Dataset.at "csv" clicks |> Msr.Dsl.Dataset.with' "sparse" "user" |> Msr.Dsl.Dataset.with' "label" "click"
                             |> Msr.Dsl.Dataset.with' "scenario" "page")
                    dataset (Msr.Dsl.Dataset.synthetic |> Msr.Dsl.Dataset.with' "rows" 600)
                    compare [ "BaseDNN" ]
                    seeds [ 1 ]
                    epochs 1
                    resultsIn results
                }
                |> Msr.Dsl.PlanFile.save plan
                let code, out, err = msr [ "run"; plan ]
                Expect.equal code 1 (sprintf "exit 1: a run failed; stderr: %s" err)
                Expect.stringContains out "1 trained, 0 already recorded, 1 failed" "the other run was trained"
                Expect.stringContains out "1 run(s) of this grid are recorded as failed (exit 1)" "says why the exit code is 1"
                Expect.stringContains out "csv-basednn-s1-" "names the failed run"
                Expect.equal (Directory.GetFiles(results, "*.json").Length) 2 "both runs recorded"
                let code, out, _ = msr [ "run"; plan ]
                Expect.equal code 1 "the resumed grid still holds the failed run"
                Expect.stringContains out "2 already recorded" "nothing retrained"
                let code, _, _ = msr [ "run"; plan; "--dry-run" ]
                Expect.equal code 0 "a dry run trains nothing and fails nothing"
            finally
                if Directory.Exists folder then Directory.Delete(folder, true)
        }
        test "an invalid plan file is bad input (exit 2) naming the file and the problem, not an internal error" {
            let folder = Path.Combine(Path.GetTempPath(), "msr-plan-" + Guid.NewGuid().ToString("N"))
            Directory.CreateDirectory folder |> ignore
            try
                for text, expected in
                    [ """{ "title": "t", "modles": [ { "name": "STAR" } ] }""", "unknown field 'modles'; valid fields: title, datasets, models"
                      """{ "title": "t", "models": [ """, "not valid JSON"
                      """{ "title": "t", "datasets": [ { "name": "synthetic" } ], "models": [ { "name": "STARR" } ], "seeds": [ 1 ] }""", "model 'STARR' is unknown" ] do
                    let plan = Path.Combine(folder, "plan.json")
                    File.WriteAllText(plan, text)
                    let code, _, err = msr [ "run"; plan; "--dry-run" ]
                    Expect.equal code 2 (sprintf "exit 2: %s" err)
                    Expect.stringContains err expected "names the problem"
                    Expect.isFalse (err.Contains "internal error") "not reported as a defect of Msr"
            finally
                Directory.Delete(folder, true)
        }
        test "an argument error prints its message without .NET's parameter suffix" {
            let code, _, err = msr [ "bench"; "load"; "--rows"; "0" ]
            Expect.equal code 2 "exit 2"
            Expect.equal (err.Trim()) "error: --rows must be >= 1, got 0" "the message alone"
        }
        test "report and check refuse an --output that is a folder before reading anything" {
            let folder = Path.GetTempPath()
            for args in [ [ "report"; folder; "-o"; folder ]; [ "check"; "--baseline"; folder; "--current"; folder; "-o"; folder ] ] do
                let code, _, err = msr args
                Expect.equal code 2 "exit 2"
                Expect.equal (err.Trim()) (sprintf "error: --output '%s' is a folder; give a file name" folder) "names the folder"
        }
        test "a thread count other than the one this process already uses is a clear error" {
            // Every in-process caller uses the core count (idempotent); asking for another must not crash.
            Msr.Core.Native.TorchRuntime.SetThreadsOnce Environment.ProcessorCount
            let other = string (Environment.ProcessorCount + 1)
            let code, _, err = msr [ "train"; "-d"; "synthetic"; "-m"; "star"; "--threads"; other; "--data"; "rows=500" ]
            Expect.equal code 2 "exit 2"
            Expect.stringContains err "threads were already set" "says why"
        }
        testList "bad input exits 2 with a clear message" [
            for args, expected in
                [ [ "train"; "--dataset"; "synthetic"; "--model"; "starr" ], "unknown model 'starr'"
                  [ "train"; "--dataset"; "nope"; "--model"; "star" ], "unknown dataset 'nope'"
                  [ "train"; "--dataset"; "synthetic"; "--model"; "star"; "--set"; "foo=1" ], "unknown option 'foo' for model 'STAR'"
                  [ "train"; "--dataset"; "synthetic"; "--model"; "star"; "--set"; "novalue" ], "--set expects key=value"
                  [ "train"; "--dataset"; "synthetic"; "--model"; "star"; "--epochs"; "x" ], "--epochs"
                  [ "train"; "--dataset"; "synthetic"; "--model"; "star"; "--epochs"; "0" ], "option 'epochs': 0 must be"
                  [ "train"; "--dataset"; "synthetic"; "--model"; "star"; "--data"; "rows=abc" ], "option 'rows': 'abc' is not an integer"
                  [ "train"; "--model"; "star" ], "--dataset"
                  [ "datasets"; "stats"; "movielens-100k"; "/no/such/folder" ], "folder not found"
                  [ "report"; "/no/such/results" ], "/no/such/results"
                  [ "frobnicate" ], "unrecognized"
                  [ "train"; "-d"; "synthetic"; "-m"; "star"; "--data"; "rows=3000"; "--data"; "rows=2000" ],
                  "dataset option 'rows' is given 2 times (rows=3000, rows=2000)"
                  [ "train"; "-d"; "synthetic"; "-m"; "star"; "--set"; "tower_dims=[8]"; "--set"; "tower-dims=[16]" ],
                  "model option 'tower_dims' is given 2 times"
                  [ "train"; "-d"; "synthetic"; "-m"; "star"; "--epochs"; "1"; "--trainer"; "epochs=5" ],
                  "training option 'epochs' is given 2 times (epochs=1, epochs=5)"
                  [ "datasets"; "stats"; "synthetic"; "--data"; "users=10"; "--data"; "users=20" ], "dataset option 'users' is given 2 times"
                  [ "bench"; "train"; "--rows"; "2000"; "--data"; "rows=3000" ], "dataset option 'rows' is given 2 times (rows=2000, rows=3000" ] ->
                test (String.Join(" ", args)) {
                    let code, _, err = msr args
                    Expect.equal code 2 "exit 2"
                    Expect.stringContains (err.ToLowerInvariant()) (expected.ToLowerInvariant()) "message"
                }
            yield test "--threads 0 names the option once, without .NET's 'Actual value' line" {
                let code, _, err = msr [ "train"; "-d"; "synthetic"; "-m"; "star"; "--threads"; "0" ]
                Expect.equal code 2 "exit 2"
                Expect.stringContains err "threads: 0 is not a thread count (at least 1)" "message"
                Expect.isFalse (err.Contains "Actual value") "no .NET suffix"
            }
        ]
    ]
