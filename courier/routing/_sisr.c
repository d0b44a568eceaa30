/* Ruin and recreate search for plain pickup-and-delivery problems, compiled.
 *
 * The same search as courier/routing/sisr.py (SISR, Christiaens and Vanden
 * Berghe 2020, adapted to pairs), on plain arrays: fleet minimisation with
 * absence counters, then simulated annealing on travel with a spare route and
 * kicks. Pair insertion scans every (pickup, delivery) position pair of a
 * route, pushing the arrival times forward from the pickup and stopping at
 * the first window or capacity violation (Savelsbergh's forward push with the
 * latest start times of the positions after the delivery).
 *
 * Data come from courier/routing/sisr_c.py as buffers of int64 (see
 * parse_data); routes go in and out as lists of node numbers. Random numbers:
 * xoshiro256** seeded by splitmix64 from the given seed. Deadlines are wall
 * clock (CLOCK_MONOTONIC) or, for measurements, the process CPU clock.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef int64_t i64;
#define BIG ((i64)1000000000000000LL)
#define MAX2(a, b) ((a) > (b) ? (a) : (b))
#define MIN2(a, b) ((a) < (b) ? (a) : (b))

/* ---- random numbers ---------------------------------------------------- */

typedef struct { uint64_t s[4]; } Rng;

static uint64_t splitmix(uint64_t *x) {
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static void rng_seed(Rng *r, uint64_t seed) {
    for (int k = 0; k < 4; k++) r->s[k] = splitmix(&seed);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t rng_next(Rng *r) {
    uint64_t *s = r->s, out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t; s[3] = rotl(s[3], 45);
    return out;
}

static double unif(Rng *r) { return (double)(rng_next(r) >> 11) * 0x1.0p-53; }
static int below(Rng *r, int n) { return n <= 1 ? 0 : (int)(unif(r) * n); }

/* ---- clocks ------------------------------------------------------------ */

static double now(int cpu) {
    struct timespec ts;
    clock_gettime(cpu ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- data, configuration, plans ---------------------------------------- */

typedef struct {
    int n, dims, start, end, npick, ncust, slot, maxr;
    const i64 *T, *early, *late, *svc, *q, *cap, *partner, *pickups, *near, *row;
    i64 *demand, *depot_dist, *deadline; /* per node (pickups) */
    char *is_pick;
} Data;

typedef struct {
    double avg_removed, blink, focus, t0, t1, spare, spare_share, stall_seconds;
    int max_string, stall, near_routes, kick_after;
} Cfg;

/* A plan: route k's visits are nodes[k*slot .. k*slot+len[k]); st, lat and
 * load are per position 0..len+1 (start, visits, end): earliest service start,
 * latest service start keeping the rest feasible, load after the position. */
typedef struct {
    int nr, nabs;
    int *len, *nodes, *absent;
    i64 *cost, *st, *lat, *load;
} Sol;

typedef struct {
    Data *D;
    Cfg C;
    Rng rng;
    i64 *absences; /* rounds each pickup spent unserved (indexed by node) */
    long rounds;
    int cpu; /* deadlines on the process CPU clock (measurements) */
    /* scratch */
    int *where, *pos, *mark, stamp, *list, *served, *rmark, rstamp;
    i64 *key;
    Sol *pool[5];
} Ctx;

#define NODE(v, L, D, m) ((m) == 0 ? (D)->start : ((m) == (L) + 1 ? (D)->end : (v)[(m) - 1]))

static void sol_free(Sol *S);

/* A solution with room for maxr routes; NULL when memory runs out. */
static Sol *sol_new(const Data *D) {
    Sol *S = calloc(1, sizeof(Sol));
    if (!S) return NULL;
    size_t cells = (size_t)D->maxr * D->slot;
    S->len = calloc(D->maxr, sizeof(int));
    S->cost = calloc(D->maxr, sizeof(i64));
    S->nodes = calloc(cells, sizeof(int));
    S->st = calloc(cells, sizeof(i64));
    S->lat = calloc(cells, sizeof(i64));
    S->load = calloc(cells * D->dims, sizeof(i64));
    S->absent = calloc(D->npick + 1, sizeof(int));
    if (!S->len || !S->cost || !S->nodes || !S->st || !S->lat || !S->load || !S->absent) {
        sol_free(S);
        return NULL;
    }
    return S;
}

static void sol_free(Sol *S) {
    if (!S) return;
    free(S->len); free(S->cost); free(S->nodes); free(S->st); free(S->lat); free(S->load);
    free(S->absent); free(S);
}

static void route_copy(const Data *D, Sol *dst, int kd, const Sol *src, int ks) {
    int L = src->len[ks];
    size_t a = (size_t)kd * D->slot, b = (size_t)ks * D->slot;
    dst->len[kd] = L;
    dst->cost[kd] = src->cost[ks];
    memcpy(dst->nodes + a, src->nodes + b, L * sizeof(int));
    memcpy(dst->st + a, src->st + b, (L + 2) * sizeof(i64));
    memcpy(dst->lat + a, src->lat + b, (L + 2) * sizeof(i64));
    memcpy(dst->load + a * D->dims, src->load + b * D->dims, (L + 2) * D->dims * sizeof(i64));
}

static void sol_copy(const Data *D, Sol *dst, const Sol *src) {
    if (dst == src) return;
    for (int k = 0; k < src->nr; k++) route_copy(D, dst, k, src, k);
    dst->nr = src->nr;
    dst->nabs = src->nabs;
    memcpy(dst->absent, src->absent, src->nabs * sizeof(int));
}

static i64 sol_cost(const Sol *S) {
    i64 c = 0;
    for (int k = 0; k < S->nr; k++) c += S->cost[k];
    return c;
}

static int better(const Sol *a, const Sol *b) {
    return a->nr < b->nr || (a->nr == b->nr && sol_cost(a) < sol_cost(b));
}

/* Times, loads and cost of route k from its visits. */
static void refresh(const Data *D, Sol *S, int k) {
    int L = S->len[k], n = D->n, dims = D->dims;
    size_t o = (size_t)k * D->slot;
    const int *v = S->nodes + o;
    i64 *st = S->st + o, *lat = S->lat + o, *ld = S->load + o * dims, cost = 0;
    int prev = D->start;
    st[0] = D->early[prev];
    for (int c = 0; c < dims; c++) ld[c] = D->q[(size_t)prev * dims + c];
    for (int m = 1; m <= L + 1; m++) {
        int x = NODE(v, L, D, m);
        i64 t = D->T[(size_t)prev * n + x];
        cost += t;
        st[m] = MAX2(D->early[x], st[m - 1] + D->svc[prev] + t);
        for (int c = 0; c < dims; c++)
            ld[m * dims + c] = ld[(m - 1) * dims + c] + D->q[(size_t)x * dims + c];
        prev = x;
    }
    lat[L + 1] = D->late[D->end];
    for (int m = L; m >= 0; m--) {
        int x = NODE(v, L, D, m), y = NODE(v, L, D, m + 1);
        lat[m] = MIN2(D->late[x], lat[m + 1] - D->svc[x] - D->T[(size_t)x * n + y]);
    }
    S->cost[k] = cost;
}

static int fits(const Data *D, const i64 *load, int p) {
    for (int c = 0; c < D->dims; c++)
        if (load[c] + D->q[(size_t)p * D->dims + c] > D->cap[c]) return 0;
    return 1;
}

/* Cheapest feasible insertion of the pair (p, d) in route k: pickup after
 * position *oi, delivery after *oj >= *oi; BIG when none. Each position that
 * would be the best so far is skipped with probability blink. */
static i64 insertion(const Data *D, const Sol *S, int k, int p, int d, Rng *rng, double blink,
                     int *oi, int *oj) {
    int L = S->len[k], n = D->n, dims = D->dims;
    size_t o = (size_t)k * D->slot;
    const int *v = S->nodes + o;
    const i64 *st = S->st + o, *lat = S->lat + o, *ld = S->load + o * dims;
    const i64 *T = D->T, *early = D->early, *late = D->late, *svc = D->svc;
    const i64 *Tp = T + (size_t)p * n, *Td = T + (size_t)d * n;
    i64 best = BIG;
    for (int i = 0; i <= L; i++) {
        int a = NODE(v, L, D, i), b = NODE(v, L, D, i + 1);
        const i64 *Ta = T + (size_t)a * n;
        i64 ap = MAX2(early[p], st[i] + svc[a] + Ta[p]);
        if (ap > late[p] || !fits(D, ld + (size_t)i * dims, p)) continue;
        i64 dp = ap + svc[p], base = Ta[p] - Ta[b];
        i64 ad = MAX2(early[d], dp + Tp[d]);
        if (ad <= late[d] && ad + svc[d] + Td[b] <= lat[i + 1]) {
            i64 c = base + Tp[d] + Td[b];
            if (c < best && !(blink > 0 && unif(rng) < blink)) { best = c; *oi = i; *oj = i; }
        }
        if (i == L) continue;
        i64 pc = base + Tp[b];
        i64 t = MAX2(early[b], dp + Tp[b]);
        for (int j = i + 1; j <= L; j++) {
            int x = v[j - 1];
            if (j > i + 1) {
                int w = v[j - 2];
                t = MAX2(early[x], t + svc[w] + T[(size_t)w * n + x]);
            }
            if (t > late[x] || !fits(D, ld + (size_t)j * dims, p)) break;
            int y = NODE(v, L, D, j + 1);
            const i64 *Tx = T + (size_t)x * n;
            i64 c = pc + Tx[d] + Td[y] - Tx[y];
            if (c >= best) continue;
            i64 adj = MAX2(early[d], t + svc[x] + Tx[d]);
            if (adj > late[d] || adj + svc[d] + Td[y] > lat[j + 1]) continue;
            if (!(blink > 0 && unif(rng) < blink)) { best = c; *oi = i; *oj = j; }
        }
    }
    return best;
}

static void insert_pair(const Data *D, Sol *S, int k, int p, int d, int i, int j) {
    int L = S->len[k];
    int *v = S->nodes + (size_t)k * D->slot;
    /* visits 0..i-1, p, i..j-1, d, j..L-1 */
    memmove(v + j + 2, v + j, (L - j) * sizeof(int));
    memmove(v + i + 1, v + i, (j - i) * sizeof(int));
    v[i] = p;
    v[j + 1] = d;
    S->len[k] = L + 2;
    refresh(D, S, k);
}

static void drop_empty(const Data *D, Sol *S) {
    int w = 0;
    for (int k = 0; k < S->nr; k++) {
        if (!S->len[k]) continue;
        if (w != k) route_copy(D, S, w, S, k);
        w++;
    }
    S->nr = w;
}


/* ---- ruin ----------------------------------------------------------------- */

static double clock_of(const Ctx *X) { return now(X->cpu); }

/* Remove strings of visits (with their partners) from routes near a random
 * seed visit, a visit of an unserved pair with probability focus when there
 * are some. The removed pickups go to X->list; returns their number. */
static int ruin(Ctx *X, Sol *S) {
    const Data *D = X->D;
    const Cfg *C = &X->C;
    Rng *r = &X->rng;
    int nserved = 0, stamp = ++X->stamp, rstamp = ++X->rstamp;
    for (int k = 0; k < S->nr; k++) {
        const int *v = S->nodes + (size_t)k * D->slot;
        for (int m = 0; m < S->len[k]; m++) {
            int x = v[m];
            X->mark[x] = stamp; X->where[x] = k; X->pos[x] = m; X->served[nserved++] = x;
        }
    }
    if (!nserved) return 0;
    double avg = (double)nserved / S->nr;
    double ls_max = MIN2((double)C->max_string, avg);
    double ks_max = 4.0 * C->avg_removed / (1.0 + ls_max) - 1.0;
    int ks = (int)(1.0 + unif(r) * ks_max);
    int seed;
    if (S->nabs && unif(r) < C->focus) {
        seed = S->absent[below(r, S->nabs)];
        if (unif(r) >= 0.5) seed = (int)D->partner[seed];
    } else {
        seed = X->served[below(r, nserved)];
    }
    char ruined[S->nr];
    memset(ruined, 0, S->nr);
    int nruined = 0;
    const i64 *nb = D->near + (size_t)D->row[seed] * D->ncust;
    for (int t = 0; t < D->ncust && nruined < ks; t++) {
        int c = (int)nb[t];
        if (X->mark[c] != stamp) continue;
        int k = X->where[c];
        if (ruined[k] || X->rmark[c] == rstamp) continue;
        int L = S->len[k];
        int length = (int)(1.0 + unif(r) * MIN2((double)L, ls_max));
        if (length > L) length = L;
        int pos = X->pos[c];
        int lo = MAX2(0, pos - length + 1), hi = MIN2(pos, L - length);
        int first = lo + below(r, hi - lo + 1);
        const int *v = S->nodes + (size_t)k * D->slot;
        for (int m = first; m < first + length; m++) {
            X->rmark[v[m]] = rstamp;
            X->rmark[D->partner[v[m]]] = rstamp;
        }
        ruined[k] = 1;
        nruined++;
    }
    int count = 0;
    for (int k = 0; k < S->nr; k++) {
        if (!ruined[k]) continue;
        int *v = S->nodes + (size_t)k * D->slot, w = 0;
        for (int m = 0; m < S->len[k]; m++) {
            int x = v[m];
            if (X->rmark[x] == rstamp) {
                if (D->is_pick[x]) X->list[count++] = x;
            } else {
                v[w++] = x;
            }
        }
        S->len[k] = w;
        refresh(D, S, k);
    }
    return count;
}

/* ---- recreate ------------------------------------------------------------- */

typedef struct { i64 k1, k2; int idx, p; } Keyed;

static int keyed_cmp(const void *a, const void *b) {
    const Keyed *x = a, *y = b;
    if (x->k1 != y->k1) return x->k1 < y->k1 ? -1 : 1;
    if (x->k2 != y->k2) return x->k2 < y->k2 ? -1 : 1;
    return x->idx - y->idx;
}

/* SISR's insertion orders: random, demand, far, close (weights 4, 4, 2, 1),
 * plus earliest deadline (1); hardest first when absences count. */
static void order(Ctx *X, int *list, int cnt, int by_absence) {
    const Data *D = X->D;
    Rng *r = &X->rng;
    for (int k = cnt - 1; k > 0; k--) {
        int j = below(r, k + 1), t = list[k];
        list[k] = list[j]; list[j] = t;
    }
    double u = unif(r) * 12.0;
    int crit = u < 4 ? 0 : u < 8 ? 1 : u < 10 ? 2 : u < 11 ? 3 : 4;
    if (crit == 0 && !by_absence) return;
    Keyed *ks = malloc(cnt * sizeof(Keyed));
    for (int k = 0; k < cnt; k++) {
        int p = list[k];
        i64 key = crit == 1 ? -D->demand[p] : crit == 2 ? -D->depot_dist[p]
                : crit == 3 ? D->depot_dist[p] : crit == 4 ? D->deadline[p] : 0;
        ks[k] = (Keyed){by_absence ? -X->absences[p] : 0, key, k, p};
    }
    qsort(ks, cnt, sizeof(Keyed), keyed_cmp);
    for (int k = 0; k < cnt; k++) list[k] = ks[k].p;
    free(ks);
}

/* Insert the pairs of list in turn, each at its cheapest position (blinks),
 * routes near the pair first, a new route when none fits and fewer than
 * max_routes are open. Pairs that fit nowhere go to S->absent; complete:
 * stop at the first. */
static void recreate(Ctx *X, Sol *S, const int *list, int cnt, int max_routes, int complete) {
    const Data *D = X->D;
    const Cfg *C = &X->C;
    drop_empty(D, S);
    int stamp = ++X->stamp;
    for (int k = 0; k < S->nr; k++) {
        const int *v = S->nodes + (size_t)k * D->slot;
        for (int m = 0; m < S->len[k]; m++) { X->mark[v[m]] = stamp; X->where[v[m]] = k; }
    }
    int tag[D->maxr], close[D->maxr];
    memset(tag, 0, sizeof(tag));
    S->nabs = 0;
    for (int t = 0; t < cnt; t++) {
        int p = list[t], d = (int)D->partner[p], bi = 0, bj = 0, bk = -1, nclose = 0;
        i64 best = BIG;
        if (C->near_routes > 0) {
            int lim = MIN2(C->near_routes, D->ncust);
            for (int e = 0; e < 2; e++) {
                const i64 *nb = D->near + (size_t)D->row[e ? d : p] * D->ncust;
                for (int s = 0; s < lim; s++) {
                    int x = (int)nb[s];
                    if (X->mark[x] != stamp) continue;
                    int k = X->where[x];
                    if (tag[k] != t + 1) { tag[k] = t + 1; close[nclose++] = k; }
                }
            }
            for (int s = 0; s < nclose; s++) {
                int i, j, k = close[s];
                i64 c = insertion(D, S, k, p, d, &X->rng, C->blink, &i, &j);
                if (c < best) { best = c; bk = k; bi = i; bj = j; }
            }
        }
        if (bk < 0) {
            for (int k = 0; k < S->nr; k++) {
                if (nclose && tag[k] == t + 1) continue;
                int i, j;
                i64 c = insertion(D, S, k, p, d, &X->rng, C->blink, &i, &j);
                if (c < best) { best = c; bk = k; bi = i; bj = j; }
            }
        }
        if (bk < 0 && S->nr < max_routes && S->nr < D->maxr) {
            int k = S->nr, i, j;
            S->len[k] = 0;
            refresh(D, S, k);
            if (insertion(D, S, k, p, d, &X->rng, 0.0, &i, &j) < BIG) {
                S->nr++; tag[k] = 0; bk = k; bi = i; bj = j;
            }
        }
        if (bk < 0) {
            S->absent[S->nabs++] = p;
            if (complete) return;
            continue;
        }
        insert_pair(D, S, bk, p, d, bi, bj);
        X->mark[p] = X->mark[d] = stamp;
        X->where[p] = X->where[d] = bk;
    }
}

/* ---- phases ----------------------------------------------------------------- */

static i64 absence_sum(const Ctx *X, const Sol *S) {
    i64 s = 0;
    for (int k = 0; k < S->nabs; k++) s += X->absences[S->absent[k]];
    return s;
}

static void swap(Sol **a, Sol **b) { Sol *t = *a; *a = *b; *b = t; }

/* Empty route victim of src and put its pairs back on at most limit routes by
 * ruin and recreate with absence counters. The plan (a pool buffer) or NULL
 * when some are still out after stall rounds or stall_seconds without fewer
 * out, or at until. */
static Sol *repair(Ctx *X, const Sol *src, int victim, int limit, double until) {
    const Data *D = X->D;
    Sol *cur = X->pool[3], *cand = X->pool[4];
    int w = 0;
    for (int k = 0; k < src->nr; k++)
        if (k != victim) route_copy(D, cur, w++, src, k);
    cur->nr = w;
    cur->nabs = 0;
    const int *v = src->nodes + (size_t)victim * D->slot;
    for (int m = 0; m < src->len[victim]; m++)
        if (D->is_pick[v[m]]) cur->absent[cur->nabs++] = v[m];
    for (int k = 0; k < src->nabs; k++) cur->absent[cur->nabs++] = src->absent[k];
    int fewest = cur->nabs, since = 0;
    double t, progress_at = clock_of(X);
    while (cur->nabs && (t = clock_of(X)) < until && since < X->C.stall
           && t - progress_at < X->C.stall_seconds) {
        sol_copy(D, cand, cur);
        int cnt = ruin(X, cand);
        for (int k = 0; k < cur->nabs; k++) X->list[cnt++] = cur->absent[k];
        order(X, X->list, cnt, 1);
        recreate(X, cand, X->list, cnt, limit, 0);
        X->rounds++;
        for (int k = 0; k < cand->nabs; k++) X->absences[cand->absent[k]]++;
        if (cand->nabs < cur->nabs || absence_sum(X, cand) < absence_sum(X, cur))
            swap(&cur, &cand);
        since++;
        if (cur->nabs < fewest) { fewest = cur->nabs; since = 0; progress_at = clock_of(X); }
    }
    X->pool[3] = cur; X->pool[4] = cand;
    return cur->nabs ? NULL : cur;
}

/* Fewer routes, every pair served: the plan in pool[2]. */
static void minimise_vehicles(Ctx *X, double until) {
    Sol *best = X->pool[2];
    while (best->nr > 1 && clock_of(X) < until) {
        int victim = 0;
        double tie = 2.0;
        for (int k = 0; k < best->nr; k++) {
            double u = unif(&X->rng);
            if (best->len[k] < best->len[victim] || (best->len[k] == best->len[victim] && u < tie)) {
                victim = k; tie = u;
            }
        }
        Sol *fewer = repair(X, best, victim, best->nr - 1, until);
        if (!fewer) break;
        sol_copy(X->D, best, fewer);
    }
}

/* Simulated annealing on travel from the plan in pool[2], every pair served,
 * never more routes than the best plan (plus the spare route for the first
 * spare_share of the time), kicks after kick_after rounds without a new best.
 * The best plan (fewest routes, then least travel) ends in pool[2]. */
static void minimise_cost(Ctx *X, double until) {
    const Data *D = X->D;
    const Cfg *C = &X->C;
    Sol *best = X->pool[2], *cur = X->pool[0], *cand = X->pool[1];
    sol_copy(D, cur, best);
    double begin = clock_of(X), span = MAX2(1e-6, until - begin), t;
    int arcs = 0;
    for (int k = 0; k < best->nr; k++) arcs += best->len[k] + 1;
    double unit = (double)sol_cost(best) / (arcs ? arcs : 1);
    double t0 = C->t0 * unit, t1 = C->t1 * unit;
    i64 extra = (i64)(C->spare * unit);
    double spare_until = extra ? begin + C->spare_share * span : begin;
    long since = 0;
    while ((t = clock_of(X)) < until) {
        int limit = best->nr, spare = t < spare_until;
        if (cur->nr > limit + spare) sol_copy(D, cur, best);
        since++;
        if (C->kick_after && since > C->kick_after) {
            since = 0;
            if (cur->nr > limit) {
                sol_copy(D, cur, best);
            } else if (limit > 1) {
                Sol *kicked = repair(X, best, below(&X->rng, limit), limit, until);
                if (kicked) {
                    sol_copy(D, cur, kicked);
                    if (better(cur, best)) sol_copy(D, best, cur);
                }
            }
            continue;
        }
        sol_copy(D, cand, cur);
        int cnt = ruin(X, cand);
        order(X, X->list, cnt, 0);
        recreate(X, cand, X->list, cnt, limit + spare, 1);
        X->rounds++;
        if (cand->nabs) continue;
        double temp = t0 > 0 && t1 > 0 ? t0 * pow(t1 / t0, (t - begin) / span) : 0.0;
        double lhs = (double)(sol_cost(cand) + extra * cand->nr);
        double rhs = (double)(sol_cost(cur) + extra * cur->nr) - temp * log(1.0 - unif(&X->rng));
        if (lhs < rhs) {
            swap(&cur, &cand);
            if (better(cur, best)) { sol_copy(D, best, cur); since = 0; }
        }
    }
    X->pool[0] = cur; X->pool[1] = cand;
}

/* ---- Python interface ------------------------------------------------------ */

#define NBUF 10

typedef struct { Py_buffer b[NBUF]; int nb; } Views;

static void views_release(Views *V) {
    for (int k = 0; k < V->nb; k++) PyBuffer_Release(&V->b[k]);
    V->nb = 0;
}

static const i64 *view(Views *V, PyObject *obj, Py_ssize_t items, const char *name) {
    Py_buffer *b = &V->b[V->nb];
    if (PyObject_GetBuffer(obj, b, PyBUF_C_CONTIGUOUS) < 0) return NULL;
    V->nb++;
    if (b->len != items * (Py_ssize_t)sizeof(i64)) {
        PyErr_Format(PyExc_ValueError, "%s: expected %zd int64 values", name, items);
        return NULL;
    }
    return (const i64 *)b->buf;
}

static void data_free(Data *D) {
    free(D->demand); free(D->depot_dist); free(D->deadline); free(D->is_pick);
}

/* (n, dims, start, end, ncust, T, early, late, svc, q, cap, partner, pickups,
 * near, row): int64 buffers; near is ncust x ncust node numbers, nearest
 * first; row maps a node to its row of near (-1: not a customer). */
static int parse_data(PyObject *t, Data *D, Views *V) {
    PyObject *o[10];
    memset(D, 0, sizeof(Data));
    if (!PyArg_ParseTuple(t, "iiiiiOOOOOOOOOO;data", &D->n, &D->dims, &D->start, &D->end,
                          &D->ncust, &o[0], &o[1], &o[2], &o[3], &o[4], &o[5], &o[6], &o[7],
                          &o[8], &o[9]))
        return -1;
    int n = D->n, dims = D->dims;
    if (n <= 0 || dims <= 0 || D->ncust < 0 || D->start < 0 || D->start >= n || D->end < 0
        || D->end >= n) {
        PyErr_SetString(PyExc_ValueError, "data: bad sizes");
        return -1;
    }
    if (!(D->T = view(V, o[0], (Py_ssize_t)n * n, "T"))
        || !(D->early = view(V, o[1], n, "early")) || !(D->late = view(V, o[2], n, "late"))
        || !(D->svc = view(V, o[3], n, "svc")) || !(D->q = view(V, o[4], (Py_ssize_t)n * dims, "q"))
        || !(D->cap = view(V, o[5], dims, "cap"))
        || !(D->partner = view(V, o[6], n, "partner")))
        return -1;
    Py_buffer *pb = &V->b[V->nb];
    if (PyObject_GetBuffer(o[7], pb, PyBUF_C_CONTIGUOUS) < 0) return -1;
    V->nb++;
    D->npick = (int)(pb->len / sizeof(i64));
    D->pickups = pb->buf;
    if (!(D->near = view(V, o[8], (Py_ssize_t)D->ncust * D->ncust, "near"))
        || !(D->row = view(V, o[9], n, "row")))
        return -1;
    D->slot = D->ncust + 2;
    D->demand = calloc(n, sizeof(i64));
    D->depot_dist = calloc(n, sizeof(i64));
    D->deadline = calloc(n, sizeof(i64));
    D->is_pick = calloc(n, 1);
    for (int k = 0; k < D->npick; k++) {
        i64 p = D->pickups[k], d = p >= 0 && p < n ? D->partner[p] : -1;
        if (d < 0 || d >= n || D->row[p] < 0 || D->row[d] < 0 || D->partner[d] != p) {
            PyErr_SetString(PyExc_ValueError, "data: a pickup without a delivery");
            return -1;
        }
        D->is_pick[p] = 1;
        for (int c = 0; c < dims; c++) D->demand[p] += D->q[p * dims + c];
        D->depot_dist[p] = D->T[(size_t)D->start * n + p] + D->T[(size_t)d * n + D->end];
        D->deadline[p] = D->late[d];
    }
    for (Py_ssize_t k = 0; k < (Py_ssize_t)D->ncust * D->ncust; k++)
        if (D->near[k] < 0 || D->near[k] >= n) {
            PyErr_SetString(PyExc_ValueError, "data: bad neighbour");
            return -1;
        }
    return 0;
}

/* Routes (a list of lists of nodes) into plan S; every node a customer, once. */
static int parse_routes(const Data *D, PyObject *routes, Sol *S, char *seen) {
    PyObject *fast = PySequence_Fast(routes, "routes must be a sequence");
    if (!fast) return -1;
    Py_ssize_t nr = PySequence_Fast_GET_SIZE(fast);
    S->nr = 0;
    for (Py_ssize_t k = 0; k < nr; k++) {
        PyObject *r = PySequence_Fast(PySequence_Fast_GET_ITEM(fast, k), "a route must be a sequence");
        if (!r) { Py_DECREF(fast); return -1; }
        Py_ssize_t L = PySequence_Fast_GET_SIZE(r);
        int *v = S->nodes + (size_t)S->nr * D->slot;
        for (Py_ssize_t m = 0; m < L; m++) {
            long x = PyLong_AsLong(PySequence_Fast_GET_ITEM(r, m));
            if (x == -1 && PyErr_Occurred()) { Py_DECREF(r); Py_DECREF(fast); return -1; }
            if (x < 0 || x >= D->n || D->row[x] < 0 || seen[x] || m >= D->ncust) {
                PyErr_SetString(PyExc_ValueError, "routes: a node that is no customer, or twice");
                Py_DECREF(r); Py_DECREF(fast); return -1;
            }
            seen[x] = 1;
            v[m] = (int)x;
        }
        Py_DECREF(r);
        if (!L) continue;
        S->len[S->nr] = (int)L;
        refresh(D, S, S->nr);
        S->nr++;
    }
    Py_DECREF(fast);
    return 0;
}

static PyObject *routes_out(const Data *D, const Sol *S) {
    PyObject *out = PyList_New(S->nr);
    if (!out) return NULL;
    for (int k = 0; k < S->nr; k++) {
        PyObject *r = PyList_New(S->len[k]);
        if (!r) { Py_DECREF(out); return NULL; }
        const int *v = S->nodes + (size_t)k * D->slot;
        for (int m = 0; m < S->len[k]; m++) PyList_SET_ITEM(r, m, PyLong_FromLong(v[m]));
        PyList_SET_ITEM(out, k, r);
    }
    return out;
}

static void ctx_free(Ctx *X) {
    free(X->where); free(X->pos); free(X->mark); free(X->list); free(X->served); free(X->rmark);
    for (int k = 0; k < 5; k++) sol_free(X->pool[k]);
}

PyDoc_STRVAR(search_doc,
"search(data, cfg, routes, absences, seed, seconds, phase, cpu_clock=False)\n"
"--\n\n"
"Run one phase of the search from routes (lists of nodes; pairs on none are\n"
"unserved): phase 0 fewer vehicles, 1 less travel. cfg = (avg_removed,\n"
"max_string, blink, stall, focus, near_routes, start_temperature,\n"
"end_temperature, kick_after, spare, spare_share, stall_seconds); absences, a\n"
"writable int64 buffer per node, is updated. Returns (routes, rounds).");

static PyObject *py_search(PyObject *self, PyObject *args) {
    PyObject *data, *cfg, *routes, *abs_obj;
    unsigned long long seed;
    double seconds;
    int phase, cpu = 0;
    if (!PyArg_ParseTuple(args, "OOOOKdi|p", &data, &cfg, &routes, &abs_obj, &seed, &seconds,
                          &phase, &cpu))
        return NULL;
    Views V = {.nb = 0};
    Data D;
    Ctx X;
    memset(&X, 0, sizeof(Ctx));
    PyObject *result = NULL;
    Py_buffer ab = {0};
    char *seen = NULL;
    if (parse_data(data, &D, &V) < 0) goto done;
    if (!PyArg_ParseTuple(cfg, "didididdiddd;cfg", &X.C.avg_removed, &X.C.max_string,
                          &X.C.blink, &X.C.stall, &X.C.focus, &X.C.near_routes, &X.C.t0, &X.C.t1,
                          &X.C.kick_after, &X.C.spare, &X.C.spare_share, &X.C.stall_seconds))
        goto done;
    if (PyObject_GetBuffer(abs_obj, &ab, PyBUF_C_CONTIGUOUS | PyBUF_WRITABLE) < 0) goto done;
    if (ab.len != (Py_ssize_t)D.n * (Py_ssize_t)sizeof(i64)) {
        PyErr_SetString(PyExc_ValueError, "absences: expected n int64 values");
        goto done;
    }
    Py_ssize_t nr = PySequence_Size(routes);
    if (nr < 0) goto done;
    D.maxr = (int)nr + 2;
    X.D = &D;
    X.cpu = cpu;
    X.absences = ab.buf;
    rng_seed(&X.rng, seed);
    X.where = calloc(D.n, sizeof(int)); X.pos = calloc(D.n, sizeof(int));
    X.mark = calloc(D.n, sizeof(int)); X.rmark = calloc(D.n, sizeof(int));
    X.list = calloc(D.npick + 1, sizeof(int)); X.served = calloc(D.n, sizeof(int));
    int short_of_memory = !X.where || !X.pos || !X.mark || !X.rmark || !X.list || !X.served;
    for (int k = 0; k < 5; k++) short_of_memory |= !(X.pool[k] = sol_new(&D));
    seen = calloc(D.n, 1);
    if (short_of_memory || !seen) {
        PyErr_NoMemory();
        goto done;
    }
    if (parse_routes(&D, routes, X.pool[2], seen) < 0) goto done;
    Sol *S = X.pool[2];
    S->nabs = 0;
    for (int k = 0; k < D.npick; k++)
        if (!seen[D.pickups[k]]) S->absent[S->nabs++] = (int)D.pickups[k];
    Py_BEGIN_ALLOW_THREADS
    double until = now(cpu) + seconds;
    if (phase == 0) minimise_vehicles(&X, until);
    else minimise_cost(&X, until);
    Py_END_ALLOW_THREADS
    PyObject *out = routes_out(&D, X.pool[2]);
    if (out) result = Py_BuildValue("(Nl)", out, X.rounds);
done:
    free(seen);
    if (ab.obj) PyBuffer_Release(&ab);
    ctx_free(&X);
    data_free(&D);
    views_release(&V);
    return result;
}

PyDoc_STRVAR(insertion_doc,
"insertion(data, nodes, p, d)\n"
"--\n\n"
"(delta cost, i, j) of the cheapest feasible insertion of the pair (pickup\n"
"after position i, delivery after j >= i) in the route of nodes, or None.");

static PyObject *py_insertion(PyObject *self, PyObject *args) {
    PyObject *data, *nodes;
    int p, d;
    if (!PyArg_ParseTuple(args, "OOii", &data, &nodes, &p, &d)) return NULL;
    Views V = {.nb = 0};
    Data D;
    PyObject *result = NULL;
    Sol *S = NULL;
    char *seen = NULL;
    if (parse_data(data, &D, &V) < 0) goto done;
    if (p < 0 || p >= D.n || d < 0 || d >= D.n || D.row[p] < 0 || D.row[d] < 0) {
        PyErr_SetString(PyExc_ValueError, "insertion: p and d must be customers");
        goto done;
    }
    D.maxr = 1;
    S = sol_new(&D);
    seen = calloc(D.n, 1);
    if (!S || !seen) {
        PyErr_NoMemory();
        goto done;
    }
    PyObject *one = PyList_New(1);
    if (!one) goto done;
    Py_INCREF(nodes);
    PyList_SET_ITEM(one, 0, nodes);
    int bad = parse_routes(&D, one, S, seen);
    Py_DECREF(one);
    if (bad < 0) goto done;
    if (!S->nr) { S->len[0] = 0; refresh(&D, S, 0); }
    Rng rng;
    rng_seed(&rng, 0);
    int i = 0, j = 0;
    i64 c = insertion(&D, S, 0, p, d, &rng, 0.0, &i, &j);
    if (c >= BIG) result = Py_NewRef(Py_None);
    else result = Py_BuildValue("(Lii)", (long long)c, i, j);
done:
    free(seen);
    sol_free(S);
    data_free(&D);
    views_release(&V);
    return result;
}

static PyMethodDef methods[] = {
    {"search", py_search, METH_VARARGS, search_doc},
    {"insertion", py_insertion, METH_VARARGS, insertion_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_sisr",
    "Compiled ruin and recreate search (see courier/routing/sisr_c.py).", -1, methods,
};

PyMODINIT_FUNC PyInit__sisr(void) { return PyModule_Create(&module); }
