/// Plain-text (Markdown pipe) tables of run records.
module Msr.Dsl.Tables

open System
open System.Globalization
open Msr.Core.Metrics
open Msr.Core.Results

let private inv (x: float) (digits: int) = x.ToString("F" + string digits, CultureInfo.InvariantCulture)

let private opt digits (x: Nullable<float>) = if x.HasValue then inv x.Value digits else "–"

let private looksNumeric (cell: string) =
    cell.Length > 0 && (Char.IsDigit cell.[0] || cell.[0] = '–' || (cell.[0] = '-' && cell.Length > 1 && Char.IsDigit cell.[1]))

/// Renders rows as a Markdown pipe table with aligned columns: numeric columns right, text left.
let markdown (header: string list) (rows: string list list) =
    let widths =
        header |> List.mapi (fun i h -> (3 :: h.Length :: (rows |> List.map (fun r -> r.[i].Length))) |> List.max)
    let right = header |> List.mapi (fun i _ -> not rows.IsEmpty && rows |> List.forall (fun r -> looksNumeric r.[i]))
    let line cells =
        cells
        |> List.mapi (fun i (c: string) -> if right.[i] then c.PadLeft widths.[i] else c.PadRight widths.[i])
        |> String.concat " | "
        |> sprintf "| %s |"
    let rule = widths |> List.mapi (fun i w -> if right.[i] then String('-', w - 1) + ":" else String('-', w)) |> String.concat " | " |> sprintf "| %s |"
    String.concat "\n" [ line header; rule; yield! rows |> List.map line ]

/// Per-scenario metrics of one evaluation: rows, positive rate, AUC, logloss.
let evaluation (e: Evaluation) =
    let row (m: MetricSet) = [ m.Name; string m.Rows; opt 4 m.PositiveRate; opt 4 m.Auc; opt 4 m.LogLoss ]
    markdown [ "scenario"; "rows"; "positive rate"; "AUC"; "logloss" ] [ yield! e.Scenarios |> Seq.map row; row e.Overall ]

/// Mean and sample standard deviation (n − 1) of the defined values.
let private meanStd (values: float list) =
    match values with
    | [] -> None
    | [ x ] -> Some(x, None)
    | xs ->
        let m = List.average xs
        Some(m, Some(sqrt ((xs |> List.sumBy (fun x -> (x - m) ** 2.0)) / float (xs.Length - 1))))

let private cell (values: float list) =
    match meanStd values with
    | None -> "–"
    | Some(m, None) -> inv m 4
    | Some(m, Some s) -> sprintf "%s ± %s" (inv m 4) (inv s 4)

/// Model name plus the hyper-parameters that vary among runs of that model (the swept ones).
let variantLabel (all: RunRecord list) (r: RunRecord) =
    let siblings = all |> List.filter (fun o -> o.Config.Model = r.Config.Model)
    let varying =
        r.Config.ModelOptions.Keys
        |> Seq.filter (fun k ->
            siblings |> List.map (fun o -> match o.Config.ModelOptions.TryGetValue k with | true, v -> v | _ -> "") |> List.distinct |> List.length > 1)
        |> Seq.sort
        |> Seq.map (fun k -> sprintf "%s=%s" k r.Config.ModelOptions.[k])
        |> List.ofSeq
    if varying.IsEmpty then r.Config.Model else sprintf "%s (%s)" r.Config.Model (String.Join(", ", varying))

/// One table per dataset: a row per model variant; overall AUC and logloss, then AUC per scenario;
/// mean ± sample standard deviation over seeds. Failed runs are counted, not averaged.
let summary (records: RunRecord list) =
    [ for dataset, runs in records |> List.groupBy (fun r -> r.Config.Dataset) do
          let completed = runs |> List.filter (fun r -> r.IsCompleted)
          let scenarios =
              completed |> List.tryHead |> Option.map (fun r -> r.Test.Scenarios |> Seq.map (fun s -> s.Name) |> List.ofSeq) |> Option.defaultValue []
          let header = [ "model"; "n"; "AUC"; "logloss"; yield! scenarios |> List.map (sprintf "AUC %s") ]
          let values (pick: RunRecord -> Nullable<float>) rs = rs |> List.choose (fun r -> let v = pick r in if v.HasValue then Some v.Value else None)
          let rows =
              [ for label, group in runs |> List.groupBy (variantLabel runs) do
                    let ok = group |> List.filter (fun r -> r.IsCompleted)
                    let failed = group.Length - ok.Length
                    [ label
                      (if failed > 0 then sprintf "%d (+%d failed)" ok.Length failed else string ok.Length)
                      cell (values (fun r -> r.Test.Overall.Auc) ok)
                      cell (values (fun r -> r.Test.Overall.LogLoss) ok)
                      yield! scenarios |> List.mapi (fun i _ -> cell (values (fun r -> r.Test.Scenarios.[i].Auc) ok)) ] ]
          sprintf "### %s (test set, mean ± std over seeds)\n\n%s" dataset (markdown header rows) ]
    |> String.concat "\n\n"
