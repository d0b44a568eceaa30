/* Plans, ruin and recreate (SISR's string removals, adapted to pairs and
 * groups) for the whole model. Mirrors courier/routing/rr_search.py; the
 * phases are in _rr_phases.c.
 */
#include "_rr.h"
#include <time.h>

static int below(Rng *r, int n) { return n <= 1 ? 0 : (int)(unif(r) * n); }

double now_clock(int cpu) {
    struct timespec ts;
    clock_gettime(cpu ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- plans ---------------------------------------------------------------- */

Sol *sol_new(const Inst *I) {
    Sol *S = calloc(1, sizeof(Sol));
    if (!S) return NULL;
    S->r = calloc(I->nv, sizeof(Route));
    S->absent = calloc(I->n + 1, sizeof(int));
    int bad = !S->r || !S->absent;
    for (int v = 0; !bad && v < I->nv; v++) bad = route_reserve(&S->r[v], 4, I->dims) < 0;
    if (bad) { sol_free(I, S); return NULL; }
    for (int v = 0; v < I->nv; v++) refresh(I, &S->r[v], v);
    return S;
}

void sol_free(const Inst *I, Sol *S) {
    if (!S) return;
    if (S->r)
        for (int v = 0; v < I->nv; v++) route_free(&S->r[v]);
    free(S->r); free(S->absent); free(S);
}

int sol_copy(const Inst *I, Sol *dst, const Sol *src) {
    if (dst == src) return 0;
    for (int v = 0; v < I->nv; v++)
        if ((src->r[v].len || dst->r[v].len) && route_copy(I, &dst->r[v], &src->r[v]) < 0)
            return -1;
    dst->nr = src->nr; dst->nabs = src->nabs; dst->absw = src->absw;
    memcpy(dst->absent, src->absent, src->nabs * sizeof(int));
    return 0;
}

static i64 longest(const Inst *I, const Sol *S) {
    i64 m = 0;
    for (int v = 0; v < I->nv; v++) m = MAX2(m, S->r[v].len ? S->r[v].dur : 0);
    return m;
}

/* Travel, fixed and preference costs, plus balance times the longest route. */
i64 sol_cost(const Inst *I, const Sol *S) {
    i64 c = 0;
    for (int v = 0; v < I->nv; v++) c += S->r[v].len ? S->r[v].cost : 0;
    return c + (I->balance > 0 ? I->balance * longest(I, S) : 0);
}

/* Routes used and the weight of the units left out. */
void sol_stats(const Inst *I, Sol *S) {
    S->nr = 0;
    for (int v = 0; v < I->nv; v++) S->nr += S->r[v].len > 0;
    S->absw = 0;
    for (int k = 0; k < S->nabs; k++) S->absw += I->unit_weight[S->absent[k]];
}

/* ---- ruin ----------------------------------------------------------------- */

/* The unit (first node of its group's first shipment, or the shipment's
 * first node) a visit belongs to. */
static int unit_of(const Inst *I, int x) {
    i64 s = I->ship[x], g = I->group[s];
    return (int)(g >= 0 ? I->rep[I->gfirst[g]] : I->rep[s]);
}

static void mark_unit(Ctx *X, int u) {
    const Inst *I = X->I;
    i64 s = I->ship[u], g = I->group[s];
    for (i64 t = g >= 0 ? I->gfirst[g] : s; t >= 0; t = g >= 0 ? I->gnext[t] : -1) {
        int r = (int)I->rep[t];
        X->rmark[r] = X->rstamp;
        if (I->partner[r] >= 0) X->rmark[I->partner[r]] = X->rstamp;
    }
}

/* Remove strings of visits (with the rest of their units) from routes near a
 * random seed visit, a visit of an unserved unit with probability focus when
 * there are some. The removed units go to X->list; returns their number. */
int ruin(Ctx *X, Sol *S) {
    const Inst *I = X->I;
    const Cfg *C = &X->C;
    Rng *r = &X->rng;
    int nserved = 0, stamp = ++X->stamp, rstamp = ++X->rstamp;
    for (int v = 0; v < I->nv; v++)
        for (int m = 0; m < S->r[v].len; m++) {
            int x = S->r[v].nodes[m];
            X->mark[x] = stamp; X->where[x] = v; X->pos[x] = m; X->served[nserved++] = x;
        }
    if (!nserved) return 0;
    double avg = (double)nserved / MAX2(1, S->nr);
    double ls_max = MIN2((double)C->max_string, avg);
    double ks_max = 4.0 * C->avg_removed / (1.0 + ls_max) - 1.0;
    int ks = (int)(1.0 + unif(r) * ks_max), nruined = 0, seed;
    if (S->nabs && unif(r) < C->focus) {
        seed = S->absent[below(r, S->nabs)];
        if (unif(r) >= 0.5 && I->partner[seed] >= 0) seed = (int)I->partner[seed];
    } else {
        seed = X->served[below(r, nserved)];
    }
    int stag = ++X->tstamp;
    const i64 *nb = I->near + (size_t)seed * I->nnear;
    for (int t = -1; t < I->nnear && nruined < ks; t++) {
        int c = t < 0 ? seed : (int)nb[t];
        if (c < 0 || X->mark[c] != stamp || X->rmark[c] == rstamp) continue;
        int v = X->where[c];
        if (X->tag[v] == stag) continue;
        const Route *R = &S->r[v];
        int L = R->len;
        int length = (int)(1.0 + unif(r) * MIN2((double)L, ls_max));
        length = MIN2(length, L);
        int pos = X->pos[c], lo = MAX2(0, pos - length + 1), hi = MIN2(pos, L - length);
        int first = lo + below(r, hi - lo + 1);
        for (int m = first; m < first + length; m++) mark_unit(X, R->nodes[m]);
        X->tag[v] = stag;
        X->cand[nruined++] = v;
    }
    int count = 0;
    for (int k = 0; k < nruined; k++) {
        int v = X->cand[k], w = 0;
        Route *R = &S->r[v];
        for (int m = 0; m < R->len; m++) {
            int x = R->nodes[m];
            if (X->rmark[x] != rstamp) R->nodes[w++] = x;
            else if (unit_of(I, x) == x) X->list[count++] = x;
        }
        R->len = w;
        refresh(I, R, v);
    }
    sol_stats(I, S);
    return count;
}

/* ---- recreate ------------------------------------------------------------- */

/* Cheapest insertion of unit u in route R of vehicle v, possibly a whole
 * group (then built in X->scratch[1], the best kept in X->scratch[2]); BIG
 * when it does not fit. */
static i64 unit_insertion(Ctx *X, const Route *R, int v, int u, int *oi, int *oj, double blink) {
    const Inst *I = X->I;
    i64 s = I->ship[u], g = I->group[s];
    if (g < 0) {
        if (!allowed_on(I, (int)s, v)) return BIG;
        if (I->partner[u] >= 0) return ins_pair(X, R, v, u, (int)I->partner[u], blink, oi, oj);
        *oi = 0;
        return ins_single(X, R, v, u, blink, oj);
    }
    for (i64 t = I->gfirst[g]; t >= 0; t = I->gnext[t])
        if (!allowed_on(I, (int)t, v)) return BIG;
    Route *G = &X->scratch[1];
    if (route_copy(I, G, R) < 0) return BIG;
    i64 total = 0;
    for (i64 t = I->gfirst[g]; t >= 0; t = I->gnext[t]) {
        int r = (int)I->rep[t], d = (int)I->partner[r], i = 0, j = 0;
        i64 c = d >= 0 ? ins_pair(X, G, v, r, d, 0.0, &i, &j) : ins_single(X, G, v, r, 0.0, &j);
        if (c >= BIG) return BIG;
        total += c;
        if (insert_at(I, G, v, d >= 0 ? r : -1, d >= 0 ? d : r, i, j) < 0) return BIG;
    }
    return total;
}

static int commit(Ctx *X, Sol *S, int v, int u, int i, int j, int stamp) {
    const Inst *I = X->I;
    i64 s = I->ship[u];
    Route *R = &S->r[v];
    int rc;
    if (I->group[s] >= 0) rc = route_copy(I, R, &X->scratch[2]);
    else if (I->partner[u] >= 0) rc = insert_at(I, R, v, u, (int)I->partner[u], i, j);
    else rc = insert_at(I, R, v, -1, u, 0, j);
    for (int m = 0; m < R->len; m++) { X->mark[R->nodes[m]] = stamp; X->where[R->nodes[m]] = v; }
    if (I->balance > 0) X->maxdur = MAX2(X->maxdur, R->dur);
    return rc;
}

/* Try unit u on vehicle v; keep it in *best when cheaper. */
static void consider(Ctx *X, const Sol *S, int v, int u, double blink, i64 *best, int *bv,
                     int *bi, int *bj) {
    int i = 0, j = 0;
    i64 c = unit_insertion(X, &S->r[v], v, u, &i, &j, blink);
    if (c < *best) {
        *best = c; *bv = v; *bi = i; *bj = j;
        if (X->I->group[X->I->ship[u]] >= 0) route_copy(X->I, &X->scratch[2], &X->scratch[1]);
    }
}

/* Insert the units of list in turn, each at its cheapest position (blinks):
 * routes near the unit first, then any used route, then (below max_routes
 * used) an unused vehicle, nearest start first. Units that fit nowhere go to
 * S->absent; stop early once their weight exceeds stop_above. */
void recreate(Ctx *X, Sol *S, const int *list, int cnt, int max_routes, i64 stop_above) {
    const Inst *I = X->I;
    const Cfg *C = &X->C;
    int stamp = ++X->stamp;
    for (int v = 0; v < I->nv; v++)
        for (int m = 0; m < S->r[v].len; m++) {
            X->mark[S->r[v].nodes[m]] = stamp; X->where[S->r[v].nodes[m]] = v;
        }
    if (I->balance > 0) X->maxdur = longest(I, S);
    sol_stats(I, S);
    S->nabs = 0; S->absw = 0;
    for (int t = 0; t < cnt; t++) {
        int u = list[t], bv = -1, bi = 0, bj = 0, nc = 0, tagv = ++X->tstamp;
        i64 best = BIG, s = I->ship[u];
        int ends[2] = {u, I->partner[u] >= 0 ? (int)I->partner[u] : u};
        for (int e = 0; e < 2 && C->near_routes > 0; e++) {
            const i64 *nb = I->near + (size_t)ends[e] * I->nnear;
            for (int k = 0; k < MIN2(C->near_routes, I->nnear); k++) {
                int x = (int)nb[k];
                if (x < 0 || X->mark[x] != stamp) continue;
                int v = X->where[x];
                if (S->r[v].len && X->tag[v] != tagv) { X->tag[v] = tagv; X->cand[nc++] = v; }
            }
        }
        for (int k = 0; k < nc; k++) consider(X, S, X->cand[k], u, C->blink, &best, &bv, &bi, &bj);
        if (bv < 0)
            for (int v = 0; v < I->nv; v++)
                if (S->r[v].len && X->tag[v] != tagv)
                    consider(X, S, v, u, C->blink, &best, &bv, &bi, &bj);
        if ((bv < 0 || !C->fleet) && (S->nr < max_routes || I->onboard[s] >= 0)) {
            const i64 *vn = I->vnear + (size_t)u * I->nvnear;
            for (int k = 0; k < I->nvnear; k++)
                if (vn[k] >= 0 && !S->r[vn[k]].len) {
                    X->tag[vn[k]] = tagv;
                    consider(X, S, (int)vn[k], u, 0.0, &best, &bv, &bi, &bj);
                }
            if (bv < 0)
                for (int v = 0; v < I->nv; v++)
                    if (!S->r[v].len && X->tag[v] != tagv)
                        consider(X, S, v, u, 0.0, &best, &bv, &bi, &bj);
        }
        if (bv < 0) {
            S->absent[S->nabs++] = u;
            S->absw += I->unit_weight[u];
            if (S->absw > stop_above) {
                for (int k = t + 1; k < cnt; k++) {
                    S->absent[S->nabs++] = list[k];
                    S->absw += I->unit_weight[list[k]];
                }
                return;
            }
            continue;
        }
        if (!S->r[bv].len) S->nr++;
        commit(X, S, bv, u, bi, bj, stamp);
    }
}
