// The benchmark paper's Table 3: every registered model (but SACN, which needs behaviour histories) on the six
// datasets (MovieLens, KuaiRand, Ali-CCP, Amazon, Douban, MIND), 10 seeds (2022-2031), the reference trainer (Adam
// 1e-3, weight decay 1e-5, early stopping on validation AUC with each dataset's patience and batch size, at most 100
// epochs), test AUC and logloss overall and per scenario, "*" where the best is significantly better than the
// runner-up (two-sided Welch t-test, p < 0.05).
//
//   dotnet build dsl/Msr.Cli -c Release
//   dotnet fsi experiments/benchmark-table3.fsx -- [--movielens DIR] [--kuairand DIR] [--aliccp DIR] [--amazon DIR]
//       [--douban DIR] [--mind DIR] [--samples] [--only movielens,kuairand,...] [--models A,B] [--seeds 10] [--epochs 100]
//       [--results DIR]
//
// Each dataset's folder comes from its flag, else from MSR_MOVIELENS, MSR_KUAIRAND, MSR_ALICCP, MSR_AMAZON,
// MSR_DOUBAN, MSR_MIND. With none given, the script runs on the committed sample (data/synthetic-sample.csv) and on
// MovieLens-100K when a shared/data/movielens-100k folder sits above the checkout; `--samples` adds the Scenario-Wise
// Rec sample files found there (shared/data/scenario-wise-rec-samples) for the datasets not given, and
// `--only sample,...` adds the committed sample to given data. Datasets without data are listed with what to pass.
// Results go to results/benchmark-table3; re-running resumes. The LaTeX, CSV, JSON and HTML forms:
// `msr report results/benchmark-table3 --format latex|csv|json|html`.
#I "../dsl/Msr.Cli/bin/Release/net10.0"
#r "TorchSharp.dll"
#r "Msr.Core.dll"
#r "Msr.Dsl.dll"

#load "ScriptArgs.fsx"
#load "Samples.fsx"

open Msr.Core.Data
open Msr.Core.Models
open Msr.Dsl
open ScriptArgs

/// One of the paper's datasets: its key (flag and --only name), loader, and the sample folder --samples may use.
type Source = { Key: string; Loader: string; Sample: string }

let sources =
    [ { Key = "movielens"; Loader = "movielens"; Sample = "" }
      // The KuaiRand sample holds a single tab: no multi-scenario data, so --samples leaves it out.
      { Key = "kuairand"; Loader = "kuairand"; Sample = "" }
      { Key = "aliccp"; Loader = "aliccp"; Sample = "scenario-wise-rec-samples/ali-ccp" }
      { Key = "amazon"; Loader = "amazon"; Sample = "" }
      { Key = "douban"; Loader = "douban"; Sample = "scenario-wise-rec-samples/douban" }
      { Key = "mind"; Loader = "mind"; Sample = "scenario-wise-rec-samples/mind" } ]

let only = names "--only" [ "sample"; yield! sources |> List.map (fun s -> s.Key) ] all
let given = [ for s in sources do match dataPath ("--" + s.Key) ("MSR_" + s.Key.ToUpperInvariant()) all with Some p -> s, p | None -> () ]
let fallback (s: Source) =
    match s.Key with
    | "movielens" -> sharedData "movielens-100k" |> Option.map Dataset.movielens100k
    | _ when s.Sample <> "" && has "--samples" all -> sharedData s.Sample |> Option.map (Dataset.at s.Loader)
    | _ -> None

let pick (s: Source) =
    match given |> List.tryFind (fun (g, _) -> g = s) with
    | Some(_, path) -> Some(Dataset.at s.Loader path)
    | None when given.IsEmpty -> fallback s
    | None -> None

let chosen =
    [ for s in sources |> List.filter (fun s -> List.contains s.Key only) do
          match pick s with
          | Some d -> yield d
          | None ->
              let expects = String.concat ", " (DatasetRegistry.Get s.Loader).ExpectedFiles
              printfn "%s: no data; pass --%s DIR or set MSR_%s (a folder with %s)" s.Key s.Key (s.Key.ToUpperInvariant()) expects
      // The committed sample runs when no data is given, or when --only names it.
      if (given.IsEmpty && List.contains "sample" only) || List.contains "sample" (names "--only" [] all) then yield Samples.committed ]

if chosen.IsEmpty then
    eprintfn "nothing to run: no dataset has data"
    exit 1

let seedCount = number "--seeds" 10 all
let study =
    experiment "Table 3: every model on the benchmark datasets" {
        datasets chosen
        // The benchmark tables have no behaviour histories, so the models that read them (SACN) sit out unless named.
        compare (names "--models" [ for m in ModelRegistry.All do if not m.RequiresHistories then m.Name ] all)
        seeds [ 2022 .. 2022 + seedCount - 1 ]
        epochs (number "--epochs" 100 all)
        resultsIn (text "--results" "results/benchmark-table3" all)
    }

let result = Grid.orExit (fun () -> Execution.run study)
printfn "\n%s" (Tables.summary result.Records)
