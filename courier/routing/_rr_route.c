/* Routes of the whole model: full evaluation (breaks placed, working time,
 * stops, windows, loads), the quick arrays of a route (earliest and latest
 * service starts without breaks, loads) and cheapest insertions.
 *
 * The quick arrays give an exact window and capacity check for a vehicle
 * without breaks or working-time cap (Savelsbergh's forward push with the
 * latest starts of the positions after the insertion); breaks only delay, so
 * the check is necessary for the others, and a candidate that passes it and
 * would be the cheapest so far is then evaluated in full. Mirrors
 * courier/routing/rr_route.py.
 */
#include "_rr.h"

static inline i64 cost_ab(const Inst *I, const Veh *V, i64 a, i64 b) { return arc_cost(V, tt(I, V, a, b)); }
static inline i64 cost_to(const Inst *I, const Veh *V, i64 a, i64 b) { return arc_cost(V, tt_to(I, V, a, b)); }

/* Earliest break start at or after t in one of break b's windows (*late: that
 * window's end); 0 when every window has passed. */
static int break_start(const Inst *I, int b, i64 t, i64 *bs, i64 *late) {
    for (i64 w = I->bwoff[b]; w < I->bwoff[b + 1]; w++) {
        i64 s = MAX2(t, I->bws[w]);
        if (s <= I->bwe[w]) { *bs = s; *late = I->bwe[w]; return 1; }
    }
    return 0;
}

/* One pass of the schedule. Breaks, in order, are taken in the gap before a
 * visit only when they could no longer start after it (as late as the route
 * allows), or (absorb) when they fit in the waiting before it; the rest after
 * the last stop (or before the return to the end). The start is then put off
 * as far as it goes without moving the end (least duration). */
static int pass(const Inst *I, int v, const int *seq, int L, int absorb, Eval *E) {
    const Veh *V = &I->veh[v];
    i64 t = V->a, W = 0, shift = V->b - V->a, here = V->start;
    int bi = 0;
    for (int m = 0; m <= L; m++) {
        i64 xl_loc, xe = 0, xl = 0, xs = 0;
        if (m < L) {
            int x = seq[m];
            xl_loc = I->loc[x]; xe = I->early[x]; xl = I->late[x]; xs = I->svc[x];
        } else if (V->end >= 0) {
            xl_loc = V->end; xe = V->a; xl = V->b;
        } else {
            xl_loc = -1;
        }
        i64 tr = tt(I, V, here, xl_loc);
        while (bi < V->nbrk) {
            int b = V->brk0 + bi;
            i64 bs, bl, ns, nl;
            if (!break_start(I, b, t, &bs, &bl)) return 0;
            int take = 1;
            if (m < L) {
                i64 tx = MAX2(xe, t + tr);
                if (tx > xl) return 0;
                take = !break_start(I, b, tx + xs, &ns, &nl)
                       || (absorb && bs + I->bdur[b] + tr <= xe);
            }
            if (!take) break;
            W += bs - t;
            shift = MIN2(shift, bl - bs + W);
            t = bs + I->bdur[b];
            bi++;
        }
        if (xl_loc < 0) break;
        i64 arr = t + tr, s = MAX2(xe, arr);
        if (s > xl) return 0;
        W += s - arr;
        shift = MIN2(shift, xl - s + W);
        t = s + xs;
        here = xl_loc;
    }
    if (t > V->b) return 0;
    shift = MAX2(0, MIN2(shift, W));
    E->start = V->a + shift;
    E->end = t;
    E->dur = t - E->start;
    return E->dur <= V->mwt;
}

/* Whether vehicle v can serve seq (L visits) in this order: loads, stops,
 * windows, breaks, working time. */
int evaluate(const Inst *I, int v, const int *seq, int L, Eval *E) {
    const Veh *V = &I->veh[v];
    int dims = I->dims;
    if (L > V->stops) return 0;
    i64 load[MAXDIMS] = {0};
    for (int m = 0; m < L; m++)
        if (I->partner[seq[m]] < 0)
            for (int c = 0; c < dims; c++) load[c] -= I->q[(size_t)seq[m] * dims + c];
    for (int m = 0; m < L; m++)
        for (int c = 0; c < dims; c++) {
            load[c] += I->q[(size_t)seq[m] * dims + c];
            if (load[c] > I->cap[(size_t)v * dims + c]) return 0;
        }
    if (pass(I, v, seq, L, 0, E)) return 1;
    return V->nbrk ? pass(I, v, seq, L, 1, E) : 0;
}

int route_reserve(Route *R, int room, int dims) {
    if (room <= R->room) return 0;
    room = MAX2(room, 2 * R->room);
    int *nodes = realloc(R->nodes, (size_t)room * sizeof(int));
    if (nodes) R->nodes = nodes;
    i64 *st = realloc(R->st, (size_t)(room + 2) * sizeof(i64));
    if (st) R->st = st;
    i64 *lat = realloc(R->lat, (size_t)(room + 2) * sizeof(i64));
    if (lat) R->lat = lat;
    i64 *load = realloc(R->load, (size_t)(room + 2) * dims * sizeof(i64));
    if (load) R->load = load;
    if (!nodes || !st || !lat || !load) return -1;
    R->room = room;
    return 0;
}

void route_free(Route *R) {
    free(R->nodes); free(R->st); free(R->lat); free(R->load);
    memset(R, 0, sizeof(Route));
}

int route_copy(const Inst *I, Route *dst, const Route *src) {
    if (dst == src) return 0;
    int L = src->len, dims = I->dims;
    if (route_reserve(dst, MAX2(L, 4), dims) < 0) return -1;
    dst->len = L; dst->cost = src->cost; dst->dur = src->dur;
    memcpy(dst->nodes, src->nodes, L * sizeof(int));
    memcpy(dst->st, src->st, (L + 2) * sizeof(i64));
    memcpy(dst->lat, src->lat, (L + 2) * sizeof(i64));
    memcpy(dst->load, src->load, (size_t)(L + 2) * dims * sizeof(i64));
    return 0;
}

static inline i64 ploc(const Veh *V, const Inst *I, const Route *R, int m) {
    return m == 0 ? V->start : m == R->len + 1 ? V->end : I->loc[R->nodes[m - 1]];
}
static inline i64 psvc(const Inst *I, const Route *R, int m) {
    return m == 0 || m == R->len + 1 ? 0 : I->svc[R->nodes[m - 1]];
}

/* The quick arrays, cost and duration of route R of vehicle v. */
void refresh(const Inst *I, Route *R, int v) {
    const Veh *V = &I->veh[v];
    int L = R->len, dims = I->dims;
    i64 *ld = R->load, cost = 0;
    for (int c = 0; c < dims; c++) ld[c] = 0;
    for (int m = 0; m < L; m++)
        if (I->partner[R->nodes[m]] < 0)
            for (int c = 0; c < dims; c++) ld[c] -= I->q[(size_t)R->nodes[m] * dims + c];
    R->st[0] = V->a;
    for (int m = 1; m <= L + 1; m++) {
        i64 t = tt(I, V, ploc(V, I, R, m - 1), ploc(V, I, R, m));
        cost += arc_cost(V, t);
        i64 e = m <= L ? I->early[R->nodes[m - 1]] : V->a;
        R->st[m] = MAX2(e, R->st[m - 1] + psvc(I, R, m - 1) + t);
        for (int c = 0; c < dims; c++)
            ld[m * dims + c] = ld[(m - 1) * dims + c]
                               + (m <= L ? I->q[(size_t)R->nodes[m - 1] * dims + c] : 0);
    }
    R->lat[L + 1] = V->b;
    for (int m = L; m >= 0; m--) {
        i64 l = m == 0 ? V->b : I->late[R->nodes[m - 1]];
        R->lat[m] = MIN2(l, R->lat[m + 1] - psvc(I, R, m)
                            - tt(I, V, ploc(V, I, R, m), ploc(V, I, R, m + 1)));
    }
    R->dur = 0;
    if (L) {
        Eval E;
        cost += V->fixed;
        if (evaluate(I, v, R->nodes, L, &E)) R->dur = E.dur;
        else R->dur = BIG; /* never kept: insertions are evaluated first */
        for (int m = 0; m < L; m++) {
            int x = R->nodes[m];
            i64 s = I->ship[x], pv = I->preferred[s];
            if (I->rep[s] == x && pv >= 0 && pv != v) cost += I->pref_cost;
        }
    }
    R->cost = cost;
}

int allowed_on(const Inst *I, int s, int v) {
    if (I->onboard[s] >= 0) return I->onboard[s] == v;
    return I->allowed[(size_t)s * I->nv + v];
}

static inline int fits(const Inst *I, const i64 *load, int x, int v, int sign) {
    const i64 *cap = I->cap + (size_t)v * I->dims;
    for (int c = 0; c < I->dims; c++)
        if (load[c] + sign * I->q[(size_t)x * I->dims + c] > cap[c]) return 0;
    return 1;
}

static int needs_full(const Inst *I, const Veh *V) {
    return V->nbrk || V->mwt < BIG || I->balance > 0;
}

/* Cost delta c of a candidate that passed the quick check, after a full
 * evaluation when the vehicle needs one (BIG: infeasible). */
static i64 confirm(Ctx *X, const Route *R, int v, int p, int d, int i, int j, i64 c) {
    const Inst *I = X->I;
    if (!needs_full(I, &I->veh[v])) return c;
    int L = R->len, k = 0;
    for (int m = 0; m <= L; m++) {
        if (m == i && p >= 0) X->seq[k++] = p;
        if (m == j) X->seq[k++] = d;
        if (m < L) X->seq[k++] = R->nodes[m];
    }
    Eval E;
    if (!evaluate(I, v, X->seq, k, &E)) return BIG;
    if (I->balance > 0) c += I->balance * MAX2(0, E.dur - X->maxdur);
    return c;
}

/* What an insertion costs beyond its arcs: the preference, and for an unused
 * vehicle its fixed cost (and back the start-to-end arc the arcs take off). */
static i64 extra_of(const Inst *I, const Route *R, int v, int x) {
    const Veh *V = &I->veh[v];
    i64 s = I->ship[x], pv = I->preferred[s];
    i64 opening = R->len ? 0 : V->fixed + cost_ab(I, V, V->start, V->end);
    return opening + (pv >= 0 && pv != v ? I->pref_cost : 0);
}

/* Cheapest feasible insertion of the pair (p, d) in route R of vehicle v:
 * pickup after position *oi, delivery after *oj >= *oi; BIG when none. A
 * candidate that would be the best so far is skipped with probability blink.
 * What the delivery adds after each position (cost, ride to the next) and the
 * route's own rides are read once (X->dcost, X->dout, X->arc). */
i64 ins_pair(Ctx *X, const Route *R, int v, int p, int d, double blink, int *oi, int *oj) {
    const Inst *I = X->I;
    const Veh *V = &I->veh[v];
    int L = R->len, dims = I->dims;
    if (L + 2 > V->stops) return BIG;
    const i64 *early = I->early, *late = I->late, *svc = I->svc;
    i64 lp = I->loc[p], lD = I->loc[d], extra = extra_of(I, R, v, p), best = BIG;
    i64 tpd = tt(I, V, lp, lD), cpd = arc_cost(V, tpd);
    i64 *dcost = X->dcost, *dout = X->dout, *arc = X->arc, lastd = MIN2(late[p], late[d]);
    int done = 0; /* positions 1..done of the three arrays are read */
    for (int i = 0; i <= L; i++) {
        /* service starts only grow along the route: past a window, all later fail */
        if (R->st[i] > lastd) break;
        i64 a = ploc(V, I, R, i), b = ploc(V, I, R, i + 1);
        i64 tap = tt_to(I, V, a, lp);
        i64 ap = MAX2(early[p], R->st[i] + psvc(I, R, i) + tap);
        if (ap > late[p] || !fits(I, R->load + (size_t)i * dims, p, v, 1)) continue;
        i64 dp = ap + svc[p], base = arc_cost(V, tap) - cost_ab(I, V, a, b) + extra;
        i64 ad = MAX2(early[d], dp + tpd);
        if (ad <= late[d] && ad + svc[d] + tt(I, V, lD, b) <= R->lat[i + 1]) {
            i64 c = base + cpd + cost_ab(I, V, lD, b);
            if (c < best && !(blink > 0 && unif(&X->rng) < blink)) {
                c = confirm(X, R, v, p, d, i, i, c);
                if (c < best) { best = c; *oi = i; *oj = i; }
            }
        }
        if (i == L) continue;
        i64 pc = base + cost_ab(I, V, lp, b);
        i64 t = MAX2(early[R->nodes[i]], dp + tt(I, V, lp, b));
        for (int j = i + 1; j <= L; j++) {
            int x = R->nodes[j - 1];
            for (; done < j; done++) {
                int k = done + 1;
                i64 xk = I->loc[R->nodes[k - 1]], y = ploc(V, I, R, k + 1);
                dout[k] = tt(I, V, lD, y);
                dcost[k] = cost_to(I, V, xk, lD) + arc_cost(V, dout[k]) - cost_ab(I, V, xk, y);
                if (k > 1) arc[k] = tt(I, V, I->loc[R->nodes[k - 2]], xk);
            }
            if (j > i + 1) t = MAX2(early[x], t + svc[R->nodes[j - 2]] + arc[j]);
            /* the delivery starts after t, and t only grows with j */
            if (t > late[x] || t > late[d] || !fits(I, R->load + (size_t)j * dims, p, v, 1))
                break;
            i64 c = pc + dcost[j];
            if (c >= best) continue;
            i64 adj = MAX2(early[d], t + svc[x] + tt_to(I, V, I->loc[x], lD));
            if (adj > late[d] || adj + svc[d] + dout[j] > R->lat[j + 1]) continue;
            if (blink > 0 && unif(&X->rng) < blink) continue;
            c = confirm(X, R, v, p, d, i, j, c);
            if (c < best) { best = c; *oi = i; *oj = j; }
        }
    }
    return best;
}

/* Cheapest feasible insertion of the lone visit x (a delivery on board) in
 * route R of vehicle v, after position *oj; BIG when none. */
i64 ins_single(Ctx *X, const Route *R, int v, int x, double blink, int *oj) {
    const Inst *I = X->I;
    const Veh *V = &I->veh[v];
    int L = R->len, dims = I->dims;
    if (L + 1 > V->stops) return BIG;
    i64 lx = I->loc[x], extra = extra_of(I, R, v, x), best = BIG;
    for (int j = 0; j <= L; j++) {
        /* the load after each visit before it grows (the start's is not a step) */
        if (j > 0 && !fits(I, R->load + (size_t)j * dims, x, v, -1)) break;
        i64 a = ploc(V, I, R, j), b = ploc(V, I, R, j + 1);
        i64 ad = MAX2(I->early[x], R->st[j] + psvc(I, R, j) + tt(I, V, a, lx));
        if (ad > I->late[x] || ad + I->svc[x] + tt(I, V, lx, b) > R->lat[j + 1]) continue;
        i64 c = cost_ab(I, V, a, lx) + cost_ab(I, V, lx, b) - cost_ab(I, V, a, b) + extra;
        if (c >= best || (blink > 0 && unif(&X->rng) < blink)) continue;
        c = confirm(X, R, v, -1, x, j, j, c);
        if (c < best) { best = c; *oj = j; }
    }
    return best;
}

/* Put p after position i and d after position j (p < 0: d alone), then refresh. */
int insert_at(const Inst *I, Route *R, int v, int p, int d, int i, int j) {
    int L = R->len, add = p >= 0 ? 2 : 1;
    if (route_reserve(R, L + add, I->dims) < 0) return -1;
    int *nodes = R->nodes;
    if (p >= 0) {
        memmove(nodes + j + 2, nodes + j, (L - j) * sizeof(int));
        memmove(nodes + i + 1, nodes + i, (j - i) * sizeof(int));
        nodes[i] = p;
        nodes[j + 1] = d;
    } else {
        memmove(nodes + j + 1, nodes + j, (L - j) * sizeof(int));
        nodes[j] = d;
    }
    R->len = L + add;
    refresh(I, R, v);
    return 0;
}
