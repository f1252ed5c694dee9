//! The `api` schema's functions as the catalog describes them: what `/rpc` resolves calls
//! against (from a cache, PostgREST's schema cache) and what `GET /openapi.json` documents.

use tokio_postgres::GenericClient;

/// One input argument of an `api` function.
#[derive(Debug, Clone)]
pub struct Arg {
    /// Empty for an unnamed argument.
    pub name: String,
    /// `format_type` of its type: `bigint`, `text[]`, `timestamp with time zone`, ...
    pub ty: String,
    /// It has a default, so a call may leave it out.
    pub has_default: bool,
}

/// One `api` function (an overload: several may share a name).
#[derive(Debug, Clone)]
pub struct Function {
    pub name: String,
    pub args: Vec<Arg>,
    /// Stable or immutable: callable with GET, in a read-only transaction.
    pub read_only: bool,
    pub returns_set: bool,
    /// `format_type` of the return type (`void`, `jsonb`, `record`, ...).
    pub returns: String,
    /// The function's comment.
    pub description: Option<String>,
}

impl Function {
    /// One json/jsonb argument: it may take the whole request body.
    pub fn single_json_arg(&self) -> bool {
        self.args.len() == 1 && is_json(&self.args[0].ty)
    }
}

pub fn is_json(ty: &str) -> bool {
    ty == "json" || ty == "jsonb"
}

const FUNCTIONS: &str = "
select p.proname::text, p.proargnames::text[], p.proargmodes::text[],
       array(select format_type(t, null) from unnest(p.proargtypes::oid[]) with ordinality u(t, i)
              order by i) as types,
       p.pronargdefaults::int4, p.provolatile in ('s', 'i'), p.proretset,
       format_type(p.prorettype, null), obj_description(p.oid, 'pg_proc')
  from pg_proc p join pg_namespace n on n.oid = p.pronamespace
 where n.nspname = 'api' and p.prokind = 'f' and ($1::text is null or p.proname = $1)
   and ($2::text is null or has_function_privilege($2::text, p.oid, 'execute'))
 order by p.proname, p.oid";

/// The `api` functions named `name` (all of them with `None`) that `role` may execute (all of
/// them with `None`), read from the catalog.
pub async fn functions(
    db: &impl GenericClient,
    name: Option<&str>,
    role: Option<&str>,
) -> Result<Vec<Function>, tokio_postgres::Error> {
    let rows = db.query(FUNCTIONS, &[&name, &role]).await?;
    Ok(rows
        .iter()
        .map(|r| {
            let names: Option<Vec<String>> = r.get(1);
            let modes: Option<Vec<String>> = r.get(2);
            let types: Vec<String> = r.get(3);
            let n_defaults = r.get::<_, i32>(4).max(0) as usize;
            // proargnames covers OUT arguments too (table-returning functions): keep the
            // names of the input ones, which line up with proargtypes.
            let names = names.unwrap_or_default();
            let input_names: Vec<String> = match modes {
                None => names,
                Some(modes) => modes
                    .iter()
                    .zip(names.into_iter().chain(std::iter::repeat(String::new())))
                    .filter(|(m, _)| matches!(m.as_str(), "i" | "b" | "v"))
                    .map(|(_, n)| n)
                    .collect(),
            };
            let first_default = types.len().saturating_sub(n_defaults);
            let args = types
                .into_iter()
                .enumerate()
                .map(|(i, ty)| Arg {
                    name: input_names.get(i).cloned().unwrap_or_default(),
                    ty,
                    has_default: i >= first_default,
                })
                .collect();
            Function {
                name: r.get(0),
                args,
                read_only: r.get(5),
                returns_set: r.get(6),
                returns: r.get(7),
                description: r.get(8),
            }
        })
        .collect())
}
