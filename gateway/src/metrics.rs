//! Prometheus metrics served at GET /metrics.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub route: &'static str,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteOnly {
    pub route: &'static str,
}

/// What a shed connection was doing: `idle` (nothing in progress) or `body` (sending one).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ShedLabels {
    pub state: &'static str,
}

/// Which budget was full (docs/security.md): `connections`, `pool_rpc`, `pool_anon`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct BudgetLabels {
    pub budget: &'static str,
}

/// How a sign-in (`/rpc/login`) ended: `ok`, `failed` (wrong email or password), `throttled`
/// (too many failures: 429), `error` (anything else).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct SignInLabels {
    pub outcome: &'static str,
}

/// Which `/events` limit a stream ran into: `subject`, `peer`, `total`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct LimitLabels {
    pub limit: &'static str,
}

pub struct Metrics {
    pub registry: Registry,
    /// Requests by route and HTTP status.
    pub requests: Family<RouteLabels, Counter>,
    /// Seconds from request to response, by route.
    pub latency: Family<RouteOnly, Histogram>,
    /// Webhooks answered with the fallback apology because the database failed.
    pub fallbacks: Counter,
    /// Webhooks refused for a missing or wrong signature.
    pub bad_signatures: Counter,
    /// Connections accepted from the listener (before the cap admits, sheds or refuses).
    pub connections_accepted: Counter,
    /// Connections closed to make room for a new one at the connection cap, by what they did.
    pub connections_shed: Family<ShedLabels, Counter>,
    /// New connections closed at once because every open one was serving a request.
    pub connections_refused: Counter,
    /// Connections closed after the idle timeout.
    pub connections_idle_closed: Counter,
    /// SQL calls cancelled after running past their budget (their connections discarded).
    pub sql_cancelled: Counter,
    /// Requests answered 503 because their budget was full, by budget.
    pub budget_refused: Family<BudgetLabels, Counter>,
    /// `/events` streams refused with 429, by the limit they ran into.
    pub events_refused: Family<LimitLabels, Counter>,
    /// `/events` streams open now.
    pub events_streams: Gauge,
    /// Sign-ins by outcome.
    pub sign_ins: Family<SignInLabels, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("kea_gateway");
        let requests = Family::<RouteLabels, Counter>::default();
        let latency = Family::<RouteOnly, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.0005, 2.0, 14))
        });
        let fallbacks = Counter::default();
        let bad_signatures = Counter::default();
        registry.register(
            "requests",
            "HTTP requests by route and status",
            requests.clone(),
        );
        registry.register(
            "request_seconds",
            "Request latency by route",
            latency.clone(),
        );
        registry.register(
            "twiml_fallbacks",
            "Webhooks answered with the apology TwiML after a database failure",
            fallbacks.clone(),
        );
        registry.register(
            "bad_signatures",
            "Webhooks refused for a missing or wrong X-Twilio-Signature",
            bad_signatures.clone(),
        );
        let connections_accepted = Counter::default();
        let connections_shed = Family::<ShedLabels, Counter>::default();
        let connections_refused = Counter::default();
        let connections_idle_closed = Counter::default();
        let sql_cancelled = Counter::default();
        registry.register(
            "connections_accepted",
            "Connections accepted from the listener, before the cap admits, sheds or refuses",
            connections_accepted.clone(),
        );
        registry.register(
            "connections_shed",
            "Connections closed to make room at the connection cap, by state (idle, body)",
            connections_shed.clone(),
        );
        registry.register(
            "connections_refused",
            "New connections closed because every open one was busy",
            connections_refused.clone(),
        );
        registry.register(
            "connections_idle_closed",
            "Connections closed after the idle timeout",
            connections_idle_closed.clone(),
        );
        registry.register(
            "sql_cancelled",
            "SQL calls cancelled past their budget; their connections were discarded",
            sql_cancelled.clone(),
        );
        let budget_refused = Family::<BudgetLabels, Counter>::default();
        let events_refused = Family::<LimitLabels, Counter>::default();
        let events_streams = Gauge::default();
        registry.register(
            "budget_refused",
            "Requests answered 503 because their budget was full (connections, pool_rpc, pool_anon)",
            budget_refused.clone(),
        );
        registry.register(
            "events_refused",
            "/events streams refused with 429, by limit (subject, peer, total)",
            events_refused.clone(),
        );
        registry.register(
            "events_streams",
            "/events streams open now",
            events_streams.clone(),
        );
        let sign_ins = Family::<SignInLabels, Counter>::default();
        registry.register(
            "sign_ins",
            "Sign-ins (/rpc/login) by outcome (ok, failed, throttled, error)",
            sign_ins.clone(),
        );
        for outcome in ["ok", "failed", "throttled", "error"] {
            let _ = sign_ins.get_or_create(&SignInLabels { outcome });
        }
        // Every series from the start, at 0: a missing one would read as "never happened" and
        // hide a misspelt name.
        for state in ["idle", "body"] {
            let _ = connections_shed.get_or_create(&ShedLabels { state });
        }
        for budget in ["connections", "pool_rpc", "pool_anon"] {
            let _ = budget_refused.get_or_create(&BudgetLabels { budget });
        }
        for limit in ["subject", "peer", "total"] {
            let _ = events_refused.get_or_create(&LimitLabels { limit });
        }
        Metrics {
            registry,
            requests,
            latency,
            fallbacks,
            bad_signatures,
            connections_accepted,
            connections_shed,
            connections_refused,
            connections_idle_closed,
            sql_cancelled,
            budget_refused,
            events_refused,
            events_streams,
            sign_ins,
        }
    }
}

impl Metrics {
    /// Route names are fixed (`Webhook::route` and a few literals), so the labels borrow them:
    /// no allocation per request.
    pub fn observe(&self, route: &'static str, status: u16, seconds: f64) {
        self.requests
            .get_or_create(&RouteLabels { route, status })
            .inc();
        self.latency
            .get_or_create(&RouteOnly { route })
            .observe(seconds);
    }

    pub fn count_shed(&self, state: &'static str) {
        self.connections_shed
            .get_or_create(&ShedLabels { state })
            .inc();
    }

    pub fn count_budget_full(&self, budget: &'static str) {
        self.budget_refused
            .get_or_create(&BudgetLabels { budget })
            .inc();
    }

    pub fn count_events_refused(&self, limit: &'static str) {
        self.events_refused
            .get_or_create(&LimitLabels { limit })
            .inc();
    }

    /// A sign-in answered with `status`.
    pub fn count_sign_in(&self, status: u16) {
        let outcome = match status {
            200 => "ok",
            401 => "failed",
            429 => "throttled",
            _ => "error",
        };
        self.sign_ins.get_or_create(&SignInLabels { outcome }).inc();
    }

    pub fn encode(&self) -> String {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)
            .expect("writing to a String cannot fail");
        out
    }
}
