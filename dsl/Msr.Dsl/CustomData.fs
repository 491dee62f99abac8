namespace Msr.Dsl

open System
open System.Globalization

/// How the rows of a custom table become scenarios (each case is one core ScenarioRule).
type ScenarioBy =
    /// Every distinct value of the column is a scenario.
    | EachValue of column: string
    /// The `count` most frequent values, numbered in value order; rows of other values are dropped.
    | Largest of column: string * count: int
    /// As Largest, numbered largest first.
    | LargestBySize of column: string * count: int
    /// These values, in this order; rows of other values are dropped.
    | KeepValues of column: string * values: string list
    /// These values, in this order; any other value is an error naming its line.
    | OnlyValues of column: string * values: string list
    /// Each group of values is one scenario, e.g. ages [ ["1"; "18"]; ["25"]; ["35"; "45"; "50"; "56"] ].
    | Groups of column: string * groups: string list list

    member this.Column =
        match this with
        | EachValue c | Largest(c, _) | LargestBySize(c, _) | KeepValues(c, _) | OnlyValues(c, _) | Groups(c, _) -> c

/// A CSV/TSV file with its column roles, as `csvData` declares it.
type CsvData =
    { Path: string
      Sparse: string list
      Dense: string list
      Buckets: (string * int) list
      Label: string option
      LabelAbove: float option
      Scenario: ScenarioBy option
      Delimiter: string option
      Quoted: bool option
      Name: string option }

/// Raised for a csvData declaration that cannot load; lists every problem found.
exception CsvDataError of path: string * problems: string list with
    override this.Message =
        sprintf "csv data '%s' is not valid:\n%s" this.path (this.problems |> List.map (sprintf "  - %s") |> String.concat "\n")

module internal CsvDataRules =
    /// Characters the core rule text (`col:groups=a/b,c`) uses as separators cannot appear inside a value.
    let private separators = [ ','; '/'; ':' ]

    let private badValues column (values: string seq) =
        [ for v in values do
              if String.IsNullOrWhiteSpace v then yield sprintf "scenario column '%s': an empty value cannot name a scenario" column
              match separators |> List.tryFind (fun s -> v.Contains s) with
              | Some s -> yield sprintf "scenario column '%s': value '%s' contains '%c', which a scenario rule cannot carry" column v s
              | None -> () ]

    let ruleProblems (rule: ScenarioBy) =
        match rule with
        | EachValue _ -> []
        | Largest(c, k) | LargestBySize(c, k) when k < 1 -> [ sprintf "scenario column '%s': keep at least 1 value (got %d)" c k ]
        | Largest _ | LargestBySize _ -> []
        | KeepValues(c, []) | OnlyValues(c, []) | Groups(c, []) -> [ sprintf "scenario column '%s': no scenario values given" c ]
        | KeepValues(c, vs) | OnlyValues(c, vs) ->
            badValues c vs
            @ [ for v, n in List.countBy id vs do if n > 1 then yield sprintf "scenario column '%s': value '%s' listed %d times" c v n ]
        | Groups(c, gs) ->
            badValues c (List.concat gs)
            @ [ for g in gs do if List.isEmpty g then yield sprintf "scenario column '%s': an empty group" c ]
            @ [ for v, n in List.countBy id (List.concat gs) do if n > 1 then yield sprintf "scenario column '%s': value '%s' is in %d groups" c v n ]

    /// The core rule text (ScenarioRule.Parse).
    let ruleText (rule: ScenarioBy) =
        let join (vs: string list) = String.Join(",", vs)
        match rule with
        | EachValue c -> c
        | Largest(c, k) -> sprintf "%s:top=%d" c k
        | LargestBySize(c, k) -> sprintf "%s:top=%d:size" c k
        | KeepValues(c, vs) -> sprintf "%s:values=%s" c (join vs)
        | OnlyValues(c, vs) -> sprintf "%s:only=%s" c (join vs)
        | Groups(c, gs) -> sprintf "%s:groups=%s" c (gs |> List.map (fun g -> String.Join("/", g)) |> join)

    let problems (d: CsvData) =
        let inputs = d.Sparse @ d.Dense @ (d.Buckets |> List.map fst)
        [ if String.IsNullOrWhiteSpace d.Path then yield "no file path"
          if List.isEmpty inputs then yield "no input column: add `sparse [...]`, `dense [...]` or `bucketed \"column\" K`"
          for c, n in List.countBy id inputs do
              if n > 1 then yield sprintf "column '%s' is declared as an input %d times" c n
          for c, k in d.Buckets do
              if k < 1 then yield sprintf "column '%s': at least 1 bucket (got %d)" c k
          match d.Label with
          | None -> yield "no label column: add `label \"column\"` (0/1) or `clickWhenAbove \"column\" threshold`"
          | Some l when List.contains l inputs -> yield sprintf "label column '%s' is also declared as an input" l
          | Some _ -> ()
          match d.LabelAbove with
          | Some t when Double.IsNaN t || Double.IsInfinity t -> yield sprintf "label threshold must be a finite number (got %g)" t
          | _ -> ()
          match d.Scenario with
          | None -> yield "no scenario rule: add `scenarios (EachValue \"column\")` or another ScenarioBy"
          | Some rule ->
              if d.Label = Some rule.Column then yield sprintf "scenario column '%s' is the label column" rule.Column
              yield! ruleProblems rule ]

    let options (d: CsvData) =
        let number (x: float) = x.ToString("R", CultureInfo.InvariantCulture)
        [ if not d.Sparse.IsEmpty then yield "sparse", String.Join(",", d.Sparse)
          if not d.Dense.IsEmpty then yield "dense", String.Join(",", d.Dense)
          if not d.Buckets.IsEmpty then yield "buckets", String.Join(",", d.Buckets |> List.map (fun (c, k) -> sprintf "%s:%d" c k))
          yield "label", d.Label.Value
          match d.LabelAbove with Some t -> yield "label_threshold", number t | None -> ()
          yield "scenario", ruleText d.Scenario.Value
          match d.Delimiter with Some s -> yield "delimiter", s | None -> ()
          match d.Quoted with Some q -> yield "quoted", (if q then "true" else "false") | None -> ()
          match d.Name with Some n -> yield "name", n | None -> () ]

/// `csvData "file.csv" { ... }`: a custom CSV/TSV file declared with typed column roles. The result is a DatasetRef
/// for the `csv` loader, so `dataset (csvData ...)` puts it in an experiment; an incomplete or contradictory
/// declaration raises CsvDataError listing every problem before anything is read.
type CsvDataBuilder(path: string) =
    member _.Yield(_: unit) : CsvData =
        { Path = path; Sparse = []; Dense = []; Buckets = []; Label = None; LabelAbove = None; Scenario = None
          Delimiter = None; Quoted = None; Name = None }

    /// Categorical inputs, label-encoded (ids, users, items, categories).
    [<CustomOperation("sparse")>]
    member _.Sparse(d: CsvData, columns: string list) = { d with Sparse = d.Sparse @ columns }

    /// Numeric inputs, MinMax-scaled.
    [<CustomOperation("dense")>]
    member _.Dense(d: CsvData, columns: string list) = { d with Dense = d.Dense @ columns }

    /// A numeric column cut into `count` equal-frequency buckets, used as a categorical input.
    [<CustomOperation("bucketed")>]
    member _.Bucketed(d: CsvData, column: string, count: int) = { d with Buckets = d.Buckets @ [ column, count ] }

    /// The 0/1 click column.
    [<CustomOperation("label")>]
    member _.Label(d: CsvData, column: string) = { d with Label = Some column; LabelAbove = None }

    /// A numeric column whose values above `threshold` count as clicks (e.g. ratings above 3).
    [<CustomOperation("clickWhenAbove")>]
    member _.ClickWhenAbove(d: CsvData, column: string, threshold: float) = { d with Label = Some column; LabelAbove = Some threshold }

    [<CustomOperation("scenarios")>]
    member _.Scenarios(d: CsvData, rule: ScenarioBy) = { d with Scenario = Some rule }

    /// Field separator: "comma", "tab", "pipe", "semicolon" or a literal (default: tab for .tsv, else comma).
    [<CustomOperation("delimiter")>]
    member _.Delimiter(d: CsvData, separator: string) = { d with Delimiter = Some separator }

    /// Whether fields may be RFC 4180 quoted (default: yes for commas).
    [<CustomOperation("quoted")>]
    member _.Quoted(d: CsvData, quoted: bool) = { d with Quoted = Some quoted }

    /// The dataset's name in results and tables (default: the file name).
    [<CustomOperation("named")>]
    member _.Named(d: CsvData, name: string) = { d with Name = Some name }

    member _.Run(d: CsvData) : DatasetRef =
        match CsvDataRules.problems d with
        | [] -> { Name = "csv"; Path = Some d.Path; Options = CsvDataRules.options d }
        | problems -> raise (CsvDataError(d.Path, problems))

[<AutoOpen>]
module CsvDataSyntax =
    /// Declares a custom CSV/TSV dataset: `csvData "clicks.tsv" { sparse [ "user"; "item" ]; label "click"; scenarios (EachValue "page") }`.
    let csvData path = CsvDataBuilder(path)
