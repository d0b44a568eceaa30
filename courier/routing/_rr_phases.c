/* The phases of the search, on the plan in pool[2]: construction (every unit
 * inserted, most important and earliest first), fleet minimisation (empty a
 * route and put its units back on the others, with absence counters), then
 * simulated annealing on cost with a spare route and kicks. Plans compare by
 * the weight of the units left out, then routes used, then cost. Mirrors
 * courier/routing/rr_search.py.
 */
#include "_rr.h"

typedef struct { i64 k1, k2, k3; int idx, u; } Keyed;

static int keyed_cmp(const void *a, const void *b) {
    const Keyed *x = a, *y = b;
    if (x->k1 != y->k1) return x->k1 < y->k1 ? -1 : 1;
    if (x->k2 != y->k2) return x->k2 < y->k2 ? -1 : 1;
    if (x->k3 != y->k3) return x->k3 < y->k3 ? -1 : 1;
    return x->idx - y->idx;
}

static int below(Rng *r, int n) { return n <= 1 ? 0 : (int)(unif(r) * n); }

/* SISR's insertion orders: random, demand, far, close (weights 4, 4, 2, 1),
 * plus earliest deadline (1); hardest first when absences count; crit -1:
 * the construction's order (heaviest weight, then ready, then deadline). */
static void order(Ctx *X, int *list, int cnt, int by_absence, int crit) {
    const Inst *I = X->I;
    Rng *r = &X->rng;
    for (int k = cnt - 1; k > 0; k--) {
        int j = below(r, k + 1), t = list[k];
        list[k] = list[j]; list[j] = t;
    }
    if (crit == 0) {
        double u = unif(r) * 12.0;
        crit = u < 4 ? 0 : u < 8 ? 1 : u < 10 ? 2 : u < 11 ? 3 : 4;
        if (crit == 0 && !by_absence) return;
    }
    Keyed *ks = malloc(cnt * sizeof(Keyed) + 1);
    if (!ks) return;
    for (int k = 0; k < cnt; k++) {
        int u = list[k];
        i64 key = crit == 1 ? -I->key_demand[u] : crit == 2 ? -I->key_far[u]
                : crit == 3 ? I->key_far[u] : crit == 4 ? I->key_deadline[u] : 0;
        if (crit < 0)
            ks[k] = (Keyed){-I->unit_weight[u], I->key_ready[u], I->key_deadline[u], k, u};
        else
            ks[k] = (Keyed){by_absence ? -X->absences[u] : 0, key, 0, k, u};
    }
    qsort(ks, cnt, sizeof(Keyed), keyed_cmp);
    for (int k = 0; k < cnt; k++) list[k] = ks[k].u;
    free(ks);
}

/* Less weight left out, then (vehicles first) fewer routes, then less cost. */
static int better(const Ctx *X, const Sol *a, const Sol *b) {
    const Inst *I = X->I;
    if (a->absw != b->absw) return a->absw < b->absw;
    if (X->C.fleet && a->nr != b->nr) return a->nr < b->nr;
    return sol_cost(I, a) < sol_cost(I, b);
}

static void swap(Sol **a, Sol **b) { Sol *t = *a; *a = *b; *b = t; }

static i64 absence_sum(const Ctx *X, const Sol *S) {
    i64 s = 0;
    for (int k = 0; k < S->nabs; k++) s += X->absences[S->absent[k]];
    return s;
}

/* Every unit left out of pool[2] put in, most important and earliest first. */
void construct(Ctx *X, double until) {
    (void)until; /* a first plan is always complete */
    Sol *S = X->pool[2];
    int cnt = S->nabs;
    memcpy(X->list, S->absent, cnt * sizeof(int));
    order(X, X->list, cnt, 0, -1);
    recreate(X, S, X->list, cnt, X->I->nv, BIG);
}

static int carries_onboard(const Inst *I, const Route *R) {
    for (int m = 0; m < R->len; m++)
        if (I->partner[R->nodes[m]] < 0) return 1;
    return 0;
}

/* Empty route victim of src and put its units back on at most limit routes,
 * leaving out no more weight than target; the plan (a pool buffer) or NULL
 * after stall rounds or stall_seconds without progress, or at until. */
static Sol *repair(Ctx *X, const Sol *src, int victim, int limit, double until, i64 target) {
    const Inst *I = X->I;
    Sol *cur = X->pool[3], *cand = X->pool[4];
    if (sol_copy(I, cur, src) < 0) return NULL;
    Route *R = &cur->r[victim];
    for (int m = 0; m < R->len; m++) {
        int x = R->nodes[m];
        i64 s = I->ship[x], g = I->group[s];
        if ((g >= 0 ? I->rep[I->gfirst[g]] : I->rep[s]) == x) cur->absent[cur->nabs++] = x;
    }
    R->len = 0;
    refresh(I, R, victim);
    sol_stats(I, cur);
    i64 fewest = cur->absw;
    int since = 0;
    double t, progress_at = now_clock(X->cpu);
    while (cur->absw > target && (t = now_clock(X->cpu)) < until && since < X->C.stall
           && t - progress_at < X->C.stall_seconds) {
        if (sol_copy(I, cand, cur) < 0) break;
        int cnt = ruin(X, cand);
        for (int k = 0; k < cur->nabs; k++) X->list[cnt++] = cur->absent[k];
        order(X, X->list, cnt, 1, 0);
        recreate(X, cand, X->list, cnt, limit, BIG);
        X->rounds++;
        for (int k = 0; k < cand->nabs; k++) X->absences[cand->absent[k]]++;
        if (cand->nr <= limit && (cand->absw < cur->absw
                                  || absence_sum(X, cand) < absence_sum(X, cur)))
            swap(&cur, &cand);
        since++;
        if (cur->absw < fewest) { fewest = cur->absw; since = 0; progress_at = now_clock(X->cpu); }
    }
    X->pool[3] = cur; X->pool[4] = cand;
    return cur->absw > target || cur->nr > limit ? NULL : cur;
}

void minimise_vehicles(Ctx *X, double until) {
    const Inst *I = X->I;
    Sol *best = X->pool[2];
    while (best->nr > 1 && now_clock(X->cpu) < until) {
        int victim = -1;
        double tie = 2.0;
        for (int v = 0; v < I->nv; v++) {
            const Route *R = &best->r[v];
            if (!R->len || carries_onboard(I, R)) continue;
            double u = unif(&X->rng);
            if (victim < 0 || R->len < best->r[victim].len
                || (R->len == best->r[victim].len && u < tie)) { victim = v; tie = u; }
        }
        if (victim < 0) break;
        Sol *fewer = repair(X, best, victim, best->nr - 1, until, best->absw);
        if (!fewer || !better(X, fewer, best)) break;
        sol_copy(I, best, fewer);
    }
}

static int random_route(Ctx *X, const Sol *S) {
    int k = below(&X->rng, S->nr);
    for (int v = 0; v < X->I->nv; v++)
        if (S->r[v].len && k-- == 0) return v;
    return 0;
}

/* Simulated annealing on cost from pool[2], never more routes than the best
 * plan (plus a spare route for the first spare_share of the time, at a cost
 * of spare average arcs), kicks after kick_after rounds without a new best.
 * Ends at until, or after max_rounds rounds when that is positive (the
 * temperature then cools by whichever of the two is further along). */
void minimise_cost(Ctx *X, double until) {
    const Inst *I = X->I;
    const Cfg *C = &X->C;
    Sol *best = X->pool[2], *cur = X->pool[0], *cand = X->pool[1];
    sol_copy(I, cur, best);
    double begin = now_clock(X->cpu), span = MAX2(1e-6, until - begin), t;
    int arcs = 0;
    for (int v = 0; v < I->nv; v++) arcs += best->r[v].len ? best->r[v].len + 1 : 0;
    double unit = (double)sol_cost(I, best) / (arcs ? arcs : 1);
    double t0 = C->t0 * unit, t1 = C->t1 * unit;
    i64 extra = C->fleet ? (i64)(C->spare * unit) : 0;
    long since = 0, first = X->rounds;
    while ((t = now_clock(X->cpu)) < until
           && (C->max_rounds <= 0 || X->rounds - first < C->max_rounds)) {
        /* how far the search has come: by the clock, or by its rounds when capped */
        double done = (t - begin) / span;
        if (C->max_rounds > 0) done = MAX2(done, (double)(X->rounds - first) / C->max_rounds);
        int limit = C->fleet ? best->nr : I->nv, spare = extra && done < C->spare_share;
        if (cur->nr > limit + spare) sol_copy(I, cur, best);
        since++;
        if (C->kick_after && since > C->kick_after) {
            since = 0;
            if (cur->nr > limit) {
                sol_copy(I, cur, best);
            } else if (C->fleet && limit > 1) {
                Sol *kicked = repair(X, best, random_route(X, best), limit, until, best->absw);
                if (kicked) {
                    sol_copy(I, cur, kicked);
                    if (better(X, cur, best)) sol_copy(I, best, cur);
                }
            }
            continue;
        }
        if (sol_copy(I, cand, cur) < 0) break;
        int cnt = ruin(X, cand);
        for (int k = 0; k < cur->nabs; k++) X->list[cnt++] = cur->absent[k];
        order(X, X->list, cnt, 0, 0);
        recreate(X, cand, X->list, cnt, limit + spare, cur->absw);
        X->rounds++;
        if (cand->absw > cur->absw) continue;
        double temp = t0 > 0 && t1 > 0 ? t0 * pow(t1 / t0, done) : 0.0;
        double lhs = (double)(sol_cost(I, cand) + extra * cand->nr);
        double rhs = (double)(sol_cost(I, cur) + extra * cur->nr) - temp * log(1.0 - unif(&X->rng));
        if (cand->absw < cur->absw || lhs < rhs) {
            swap(&cur, &cand);
            if (better(X, cur, best)) { sol_copy(I, best, cur); since = 0; }
        }
    }
    X->pool[0] = cur; X->pool[1] = cand;
}
