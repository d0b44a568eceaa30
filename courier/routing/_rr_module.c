/* Python interface of the ruin and recreate search for the whole model
 * (courier/routing/rr_c.py packs the data: a dict of int64/float64/int8
 * arrays, see rr_data.py). */
#include "_rr.h"
#include "_rr_matrix.h"

#define NBUF 48

typedef struct { Py_buffer b[NBUF]; int nb; } Views;

static void views_release(Views *V) {
    for (int k = 0; k < V->nb; k++) PyBuffer_Release(&V->b[k]);
    V->nb = 0;
}

static const void *get(Views *V, PyObject *dict, const char *name, Py_ssize_t items, int size) {
    PyObject *obj = PyDict_GetItemString(dict, name);
    if (!obj) { PyErr_Format(PyExc_KeyError, "data: %s missing", name); return NULL; }
    if (V->nb >= NBUF) { PyErr_SetString(PyExc_RuntimeError, "data: too many arrays"); return NULL; }
    Py_buffer *b = &V->b[V->nb];
    if (PyObject_GetBuffer(obj, b, PyBUF_C_CONTIGUOUS) < 0) return NULL;
    V->nb++;
    if (b->len != items * (Py_ssize_t)size) {
        PyErr_Format(PyExc_ValueError, "data: %s: expected %zd values", name, items);
        return NULL;
    }
    return b->buf;
}

static int get_int(PyObject *dict, const char *name, long long *out) {
    PyObject *obj = PyDict_GetItemString(dict, name);
    if (!obj) { PyErr_Format(PyExc_KeyError, "data: %s missing", name); return -1; }
    *out = PyLong_AsLongLong(obj);
    return *out == -1 && PyErr_Occurred() ? -1 : 0;
}

#define I64(name, count) ((const i64 *)get(V, d, name, (count), 8))

static int parse_inst(PyObject *d, Inst *I, Views *V) {
    memset(I, 0, sizeof(Inst));
    long long x[9];
    const char *names[9] = {"n", "nloc", "dims", "nv", "nship", "nnear", "nvnear", "pref_cost",
                            "balance"};
    for (int k = 0; k < 9; k++)
        if (get_int(d, names[k], &x[k]) < 0) return -1;
    I->n = (int)x[0]; I->nloc = (int)x[1]; I->dims = (int)x[2]; I->nv = (int)x[3];
    I->nship = (int)x[4]; I->nnear = (int)x[5]; I->nvnear = (int)x[6];
    I->pref_cost = x[7]; I->balance = x[8];
    int n = I->n, dims = I->dims, nv = I->nv, ns = I->nship;
    if (n < 0 || dims < 1 || dims > MAXDIMS || nv < 1 || ns < 0 || I->nloc < 1) {
        PyErr_SetString(PyExc_ValueError, "data: bad sizes");
        return -1;
    }
    if (!(I->D = I64("D", (Py_ssize_t)I->nloc * I->nloc)) || !(I->loc = I64("loc", n))
        || !(I->early = I64("early", n)) || !(I->late = I64("late", n))
        || !(I->svc = I64("svc", n)) || !(I->q = I64("q", (Py_ssize_t)n * dims))
        || !(I->partner = I64("partner", n)) || !(I->ship = I64("ship", n))
        || !(I->key_demand = I64("key_demand", n)) || !(I->key_far = I64("key_far", n))
        || !(I->key_deadline = I64("key_deadline", n)) || !(I->key_ready = I64("key_ready", n))
        || !(I->unit_weight = I64("unit_weight", n)) || !(I->rep = I64("rep", ns))
        || !(I->group = I64("group", ns)) || !(I->onboard = I64("onboard", ns))
        || !(I->preferred = I64("preferred", ns)) || !(I->gnext = I64("gnext", ns))
        || !(I->allowed = get(V, d, "allowed", (Py_ssize_t)ns * nv, 1))
        || !(I->cap = I64("cap", (Py_ssize_t)nv * dims))
        || !(I->near = I64("near", (Py_ssize_t)n * I->nnear))
        || !(I->vnear = I64("vnear", (Py_ssize_t)n * I->nvnear)))
        return -1;
    long long ng, nb, nw;
    if (get_int(d, "ngroups", &ng) < 0 || get_int(d, "nbreaks", &nb) < 0
        || get_int(d, "nwindows", &nw) < 0)
        return -1;
    const i64 *vi;
    const double *vf;
    if (!(I->gfirst = I64("gfirst", ng)) || !(I->bdur = I64("bdur", nb))
        || !(I->bwoff = I64("bwoff", nb + 1)) || !(I->bws = I64("bws", nw))
        || !(I->bwe = I64("bwe", nw)) || !(vi = I64("veh_int", (Py_ssize_t)nv * 9))
        || !(vf = get(V, d, "veh_float", (Py_ssize_t)nv * 2, 8)))
        return -1;
    I->veh = calloc(nv, sizeof(Veh));
    if (!I->veh) { PyErr_NoMemory(); return -1; }
    for (int v = 0; v < nv; v++) {
        const i64 *r = vi + (size_t)v * 9;
        Veh *W = &I->veh[v];
        W->start = r[0]; W->end = r[1]; W->a = r[2]; W->b = r[3]; W->mwt = r[4];
        W->stops = r[5]; W->fixed = r[6]; W->brk0 = (int)r[7]; W->nbrk = (int)r[8];
        W->sf = vf[2 * v]; W->cf = vf[2 * v + 1];
        W->unit_speed = W->sf == 1.0; W->unit_cost = W->cf == 1.0;
        if (W->start < 0 || W->start >= I->nloc || W->end >= I->nloc || W->brk0 < 0
            || W->brk0 + W->nbrk > nb) {
            PyErr_SetString(PyExc_ValueError, "data: bad vehicle");
            return -1;
        }
    }
    for (int k = 0; k < n; k++)
        if (I->loc[k] < 0 || I->loc[k] >= I->nloc || I->ship[k] < 0 || I->ship[k] >= ns
            || I->partner[k] >= n) {
            PyErr_SetString(PyExc_ValueError, "data: bad node");
            return -1;
        }
    scale_matrices(I);
    return 0;
}


/* routes: one list of nodes per vehicle, every node once, each route feasible. */
static int parse_routes(const Inst *I, PyObject *routes, Sol *S, char *seen) {
    PyObject *fast = PySequence_Fast(routes, "routes must be a sequence");
    if (!fast) return -1;
    if (PySequence_Fast_GET_SIZE(fast) != I->nv) {
        PyErr_SetString(PyExc_ValueError, "routes: one per vehicle");
        Py_DECREF(fast);
        return -1;
    }
    for (int v = 0; v < I->nv; v++) {
        PyObject *r = PySequence_Fast(PySequence_Fast_GET_ITEM(fast, v), "a route must be a sequence");
        if (!r) { Py_DECREF(fast); return -1; }
        Py_ssize_t L = PySequence_Fast_GET_SIZE(r);
        Route *R = &S->r[v];
        int bad = route_reserve(R, (int)L + 4, I->dims) < 0;
        for (Py_ssize_t m = 0; !bad && m < L; m++) {
            long x = PyLong_AsLong(PySequence_Fast_GET_ITEM(r, m));
            if (x < 0 || x >= I->n || seen[x]) {
                if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "routes: bad node");
                bad = 1;
                break;
            }
            seen[x] = 1;
            R->nodes[m] = (int)x;
        }
        Py_DECREF(r);
        Eval E;
        if (!bad && L && !evaluate(I, v, R->nodes, (int)L, &E)) {
            PyErr_Format(PyExc_ValueError, "routes: route %d is not feasible", v);
            bad = 1;
        }
        if (bad) { Py_DECREF(fast); return -1; }
        R->len = (int)L;
        refresh(I, R, v);
    }
    Py_DECREF(fast);
    S->nabs = 0;
    for (int s = 0; s < I->nship; s++) {
        i64 g = I->group[s], u = g >= 0 ? I->rep[I->gfirst[g]] : I->rep[s];
        if (!seen[u]) { seen[u] = 1; S->absent[S->nabs++] = (int)u; }
    }
    sol_stats(I, S);
    return 0;
}

static PyObject *routes_out(const Inst *I, const Sol *S) {
    PyObject *out = PyList_New(I->nv);
    for (int v = 0; out && v < I->nv; v++) {
        PyObject *r = PyList_New(S->r[v].len);
        if (!r) { Py_CLEAR(out); break; }
        for (int m = 0; m < S->r[v].len; m++)
            PyList_SET_ITEM(r, m, PyLong_FromLong(S->r[v].nodes[m]));
        PyList_SET_ITEM(out, v, r);
    }
    return out;
}

static void ctx_free(Ctx *X) {
    free(X->where); free(X->pos); free(X->mark); free(X->list); free(X->served);
    free(X->rmark); free(X->tag); free(X->cand); free(X->seq);
    free(X->dcost); free(X->dout); free(X->arc);
    for (int k = 0; k < 3; k++) route_free(&X->scratch[k]);
    for (int k = 0; k < 5; k++) sol_free(X->I, X->pool[k]);
}

static int ctx_init(Ctx *X, const Inst *I) {
    memset(X, 0, sizeof(Ctx));
    X->I = I;
    int n = I->n + 2, nv = I->nv;
    X->where = calloc(n, sizeof(int)); X->pos = calloc(n, sizeof(int));
    X->mark = calloc(n, sizeof(int)); X->rmark = calloc(n, sizeof(int));
    X->list = calloc(n, sizeof(int)); X->served = calloc(n, sizeof(int));
    X->tag = calloc(nv, sizeof(int)); X->cand = calloc(nv, sizeof(int));
    X->seq = calloc(n, sizeof(int));
    X->dcost = calloc(n, sizeof(i64)); X->dout = calloc(n, sizeof(i64));
    X->arc = calloc(n, sizeof(i64));
    int bad = !X->where || !X->pos || !X->mark || !X->rmark || !X->list || !X->served || !X->tag
              || !X->cand || !X->seq || !X->dcost || !X->dout || !X->arc;
    for (int k = 0; k < 5; k++) bad |= !(X->pool[k] = sol_new(I));
    if (bad) PyErr_NoMemory();
    return bad ? -1 : 0;
}

static PyObject *py_search(PyObject *self, PyObject *args) {
    PyObject *data, *cfg, *routes, *abs_obj;
    unsigned long long seed;
    double seconds;
    int phase, cpu = 0;
    if (!PyArg_ParseTuple(args, "OOOOKdi|p", &data, &cfg, &routes, &abs_obj, &seed, &seconds,
                          &phase, &cpu))
        return NULL;
    Views V = {.nb = 0};
    Inst I;
    Ctx X;
    memset(&X, 0, sizeof(Ctx));
    PyObject *result = NULL;
    Py_buffer ab = {0};
    char *seen = NULL;
    int ready = 0;
    if (!PyDict_Check(data)) { PyErr_SetString(PyExc_TypeError, "data must be a dict"); goto done; }
    if (parse_inst(data, &I, &V) < 0 || ctx_init(&X, &I) < 0) goto done;
    ready = 1;
    if (!PyArg_ParseTuple(cfg, "didididdidddil;cfg", &X.C.avg_removed, &X.C.max_string,
                          &X.C.blink, &X.C.stall, &X.C.focus, &X.C.near_routes, &X.C.t0, &X.C.t1,
                          &X.C.kick_after, &X.C.spare, &X.C.spare_share, &X.C.stall_seconds,
                          &X.C.fleet, &X.C.max_rounds))
        goto done;
    if (PyObject_GetBuffer(abs_obj, &ab, PyBUF_C_CONTIGUOUS | PyBUF_WRITABLE) < 0) goto done;
    if (ab.len != (Py_ssize_t)I.n * (Py_ssize_t)sizeof(i64)) {
        PyErr_SetString(PyExc_ValueError, "absences: expected n int64 values");
        goto done;
    }
    X.cpu = cpu;
    X.absences = ab.buf;
    rng_seed(&X.rng, seed);
    if (!(seen = calloc(I.n + 1, 1))) { PyErr_NoMemory(); goto done; }
    if (parse_routes(&I, routes, X.pool[2], seen) < 0) goto done;
    Py_BEGIN_ALLOW_THREADS
    double until = now_clock(cpu) + seconds;
    if (phase == 0) construct(&X, until);
    else if (phase == 1) minimise_vehicles(&X, until);
    else minimise_cost(&X, until);
    Py_END_ALLOW_THREADS
    PyObject *out = routes_out(&I, X.pool[2]);
    if (out) result = Py_BuildValue("(Nl)", out, X.rounds);
done:
    free(seen);
    if (ab.obj) PyBuffer_Release(&ab);
    if (ready) ctx_free(&X);
    inst_free(&I);
    views_release(&V);
    return result;
}

/* evaluate(data, v, seq) -> (start, end, duration) or None; insertion(data, v,
 * nodes, u) -> (cost, i, j) or None: the cheapest insertion of unit u. */
static PyObject *py_probe(PyObject *args, int insertion) {
    PyObject *data, *nodes;
    int v, u = -1;
    if (insertion ? !PyArg_ParseTuple(args, "OiOi", &data, &v, &nodes, &u)
                  : !PyArg_ParseTuple(args, "OiO", &data, &v, &nodes))
        return NULL;
    Views V = {.nb = 0};
    Inst I;
    Ctx X;
    PyObject *result = NULL;
    char *seen = NULL;
    int ready = 0;
    if (!PyDict_Check(data)) { PyErr_SetString(PyExc_TypeError, "data must be a dict"); goto done; }
    if (parse_inst(data, &I, &V) < 0 || ctx_init(&X, &I) < 0) goto done;
    ready = 1;
    if (v < 0 || v >= I.nv || (insertion && (u < 0 || u >= I.n))) {
        PyErr_SetString(PyExc_ValueError, "bad vehicle or node");
        goto done;
    }
    PyObject *fast = PySequence_Fast(nodes, "nodes must be a sequence");
    if (!fast) goto done;
    Py_ssize_t L = PySequence_Fast_GET_SIZE(fast);
    Route *R = &X.pool[0]->r[v];
    if (L > I.n || route_reserve(R, (int)L + 4, I.dims) < 0) { Py_DECREF(fast); goto done; }
    for (Py_ssize_t m = 0; m < L; m++) {
        long x = PyLong_AsLong(PySequence_Fast_GET_ITEM(fast, m));
        if (x < 0 || x >= I.n) x = 0;
        R->nodes[m] = (int)x;
    }
    Py_DECREF(fast);
    R->len = (int)L;
    Eval E;
    if (!insertion) {
        result = evaluate(&I, v, R->nodes, (int)L, &E)
                 ? Py_BuildValue("(LLL)", (long long)E.start, (long long)E.end, (long long)E.dur)
                 : Py_NewRef(Py_None);
        goto done;
    }
    refresh(&I, R, v);
    X.maxdur = I.balance > 0 && L ? R->dur : 0;
    rng_seed(&X.rng, 0);
    X.C.fleet = 1;
    int stamp = ++X.stamp;
    for (int m = 0; m < R->len; m++) { X.mark[R->nodes[m]] = stamp; X.where[R->nodes[m]] = v; }
    Sol *S = X.pool[0];
    S->nr = L > 0;
    X.pool[0]->absent[0] = u;
    X.pool[0]->nabs = 1;
    recreate(&X, S, &u, 1, L > 0 ? 1 : I.nv, BIG);
    if (S->nabs) { result = Py_NewRef(Py_None); goto done; }
    result = routes_out(&I, S);
done:
    free(seen);
    if (ready) ctx_free(&X);
    inst_free(&I);
    views_release(&V);
    return result;
}

static PyObject *py_evaluate(PyObject *self, PyObject *args) { return py_probe(args, 0); }
static PyObject *py_insertion(PyObject *self, PyObject *args) { return py_probe(args, 1); }

static PyMethodDef methods[] = {
    {"search", py_search, METH_VARARGS,
     "search(data, cfg, routes, absences, seed, seconds, phase, cpu_clock=False) -> "
     "(routes, rounds): phase 0 builds, 1 fewer vehicles, 2 less cost."},
    {"evaluate", py_evaluate, METH_VARARGS,
     "evaluate(data, v, seq) -> (start, end, duration) or None."},
    {"insertion", py_insertion, METH_VARARGS,
     "insertion(data, v, nodes, u) -> every route after the cheapest insertion of unit u "
     "(vehicle v serving nodes, the others unused), or None."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_rr",
    "Ruin and recreate for the whole routing model (see courier/routing/rr_c.py).", -1, methods,
};

PyMODINIT_FUNC PyInit__rr(void) { return PyModule_Create(&module); }
