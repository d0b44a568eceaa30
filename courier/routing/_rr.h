/* Ruin and recreate for the whole routing model (courier/routing/rr.py).
 *
 * Shared by _rr_route.c (route evaluation and insertion), _rr_search.c (ruin,
 * recreate, the two phases) and _rr_module.c (the Python interface). Nodes are
 * the visits: a pickup and a delivery per shipment (only the delivery when the
 * shipment is on board). Locations index the duration matrix. Every vehicle
 * has a route (empty when unused); the position m of a route of len visits
 * is 0 for the start, 1..len for the visits, len+1 for the end.
 */
#ifndef COURIER_RR_H
#define COURIER_RR_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef int64_t i64;
#define BIG ((i64)1000000000000000LL)
#define MAX2(a, b) ((a) > (b) ? (a) : (b))
#define MIN2(a, b) ((a) < (b) ? (a) : (b))
#define MAXDIMS 16

typedef struct {
    i64 start, end;   /* locations; end -1: the route ends at its last stop */
    i64 a, b;         /* availability window */
    i64 mwt, stops, fixed; /* max working time, max stops (BIG: none), fixed cost */
    double sf, cf;    /* speed factor, cost factor */
    int unit_speed, unit_cost;
    int nbrk, brk0;   /* breaks brk0 .. brk0 + nbrk - 1, by first window start */
    const i64 *M;     /* travel times at this vehicle's speed (nloc x nloc), or NULL */
    const i64 *MT;    /* the same transposed (M itself when symmetric), or NULL */
} Veh;

typedef struct {
    int n, nloc, dims, nv, nship, nnear, nvnear;
    const i64 *D;                                   /* nloc x nloc durations */
    const i64 *loc, *early, *late, *svc, *q, *partner, *ship; /* per node */
    const i64 *key_demand, *key_far, *key_deadline, *key_ready, *unit_weight; /* per node */
    const i64 *rep, *group, *onboard, *preferred;  /* per shipment */
    const i64 *gfirst, *gnext;                     /* group g's shipments: gfirst[g], gnext[s] */
    const int8_t *allowed;                         /* nship x nv */
    const i64 *cap;                                /* nv x dims */
    const i64 *bdur, *bwoff, *bws, *bwe;          /* breaks and their windows */
    const i64 *near;                               /* n x nnear nodes, nearest first */
    const i64 *vnear;                              /* n x nvnear vehicles, nearest start first */
    i64 pref_cost, balance;
    Veh *veh;
    i64 *scaled[8];   /* owned: matrices at speed factors other than 1, transposes */
    int nscaled;
} Inst;

typedef struct {
    int len, room;
    int *nodes;
    i64 *st, *lat, *load;  /* per position: earliest start and latest start without
                              breaks, load after the position (dims values) */
    i64 cost, dur;         /* arc costs + fixed + preference; duration (full evaluation) */
} Route;

typedef struct {
    int nr, nabs;          /* non-empty routes, units unserved */
    i64 absw;              /* weight of the units unserved */
    int *absent;           /* units unserved (their first node) */
    Route *r;              /* one per vehicle */
} Sol;

typedef struct {
    double avg_removed, blink, focus, t0, t1, spare, spare_share, stall_seconds;
    int max_string, stall, near_routes, kick_after, fleet; /* fleet 0: cost first */
    long max_rounds;       /* rounds of the cost phase at most (0: until the time limit) */
} Cfg;

typedef struct { uint64_t s[4]; } Rng;

typedef struct {
    const Inst *I;
    Cfg C;
    Rng rng;
    i64 *absences;       /* per node (units) */
    long rounds;
    int cpu;
    i64 maxdur;          /* longest route of the plan being rebuilt (balance) */
    int *where, *pos, *mark, stamp, *list, *served, *rmark, rstamp, *tag, tstamp, *cand;
    int *seq;            /* scratch sequence for full evaluations */
    i64 *dcost, *dout, *arc; /* scratch of ins_pair, per position */
    Route scratch[3];
    Sol *pool[5];
} Ctx;

typedef struct { i64 start, end, dur; } Eval;

/* Travel time from location a to b at vehicle V's speed (rounded up); 0 from
 * or to nowhere (-1). Read from V->M when the matrix at its speed was built. */
static inline i64 scaled_time(i64 t, double sf) {
    double x = (double)t * sf - 1e-9;
    i64 r = (i64)x;
    return r < x ? r + 1 : r; /* ceil without the library call */
}
static inline i64 tt(const Inst *I, const Veh *V, i64 a, i64 b) {
    if (a < 0 || b < 0) return 0;
    size_t k = (size_t)a * I->nloc + b;
    return V->M ? V->M[k] : scaled_time(I->D[k], V->sf);
}

/* Travel time from a to b read along the row of b when the transpose was
 * built (many rides into one place: one row of memory). */
static inline i64 tt_to(const Inst *I, const Veh *V, i64 a, i64 b) {
    if (a < 0 || b < 0) return 0;
    return V->MT ? V->MT[(size_t)b * I->nloc + a] : tt(I, V, a, b);
}

/* _rr_route.c */
static inline i64 arc_cost(const Veh *V, i64 t) {
    return V->unit_cost ? t : (i64)llrint((double)t * V->cf);
}
int evaluate(const Inst *I, int v, const int *seq, int L, Eval *E);
int route_reserve(Route *R, int room, int dims);
void route_free(Route *R);
int route_copy(const Inst *I, Route *dst, const Route *src);
void refresh(const Inst *I, Route *R, int v);
int allowed_on(const Inst *I, int s, int v);
i64 ins_pair(Ctx *X, const Route *R, int v, int p, int d, double blink, int *oi, int *oj);
i64 ins_single(Ctx *X, const Route *R, int v, int x, double blink, int *oj);
int insert_at(const Inst *I, Route *R, int v, int p, int d, int i, int j);

/* The random numbers of a search (xoshiro256** seeded by splitmix64), shared by
 * the route and search units. */
static inline uint64_t splitmix(uint64_t *x) {
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static inline void rng_seed(Rng *r, uint64_t seed) {
    for (int k = 0; k < 4; k++) r->s[k] = splitmix(&seed);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline uint64_t rng_next(Rng *r) {
    uint64_t *s = r->s, out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t; s[3] = rotl(s[3], 45);
    return out;
}

static inline double unif(Rng *r) { return (double)(rng_next(r) >> 11) * 0x1.0p-53; }

/* _rr_search.c */
double now_clock(int cpu);
Sol *sol_new(const Inst *I);
void sol_free(const Inst *I, Sol *S);
int sol_copy(const Inst *I, Sol *dst, const Sol *src);
i64 sol_cost(const Inst *I, const Sol *S);
void sol_stats(const Inst *I, Sol *S);
int ruin(Ctx *X, Sol *S);
void recreate(Ctx *X, Sol *S, const int *list, int cnt, int max_routes, i64 stop_above);
void construct(Ctx *X, double until);
void minimise_vehicles(Ctx *X, double until);
void minimise_cost(Ctx *X, double until);

#endif
