/* The travel matrices at each speed, built once per call of the search:
 * included by _rr_module.c only (parse_inst builds, inst_free frees).
 *
 * A vehicle's travel is the duration matrix times its speed factor, rounded
 * up (scaled_time in _rr.h); each speed factor other than 1 gets its own
 * matrix, and each matrix its transpose (the matrix itself when symmetric),
 * so that a ride is one read and the many rides into one place during an
 * insertion read one row. Above SCALE_MAX_ENTRIES cells (about 3,500
 * places) nothing is built and travel is computed at each read.
 */
#ifndef COURIER_RR_MATRIX_H
#define COURIER_RR_MATRIX_H
#include "_rr.h"

/* Up to this many matrix entries, the matrix at each speed factor (other
 * than 1) is built once per call: travel is then one read. */
#define SCALE_MAX_ENTRIES ((size_t)12000000)

static int symmetric(const i64 *M, int n) {
    for (int a = 0; a < n; a++)
        for (int b = a + 1; b < n; b++)
            if (M[(size_t)a * n + b] != M[(size_t)b * n + a]) return 0;
    return 1;
}

static i64 *owned(Inst *I, size_t cells) {
    if (I->nscaled >= 8) return NULL;
    i64 *M = malloc(cells * sizeof(i64));
    if (M) I->scaled[I->nscaled++] = M;
    return M;
}

static void scale_matrices(Inst *I) {
    int n = I->nloc;
    size_t cells = (size_t)n * n;
    int big = cells > SCALE_MAX_ENTRIES, sym = !big && symmetric(I->D, n);
    for (int v = 0; v < I->nv; v++) {
        Veh *V = &I->veh[v];
        V->M = V->unit_speed ? I->D : NULL;
        V->MT = NULL;
        for (int v2 = 0; v2 < v && !V->MT; v2++)
            if (I->veh[v2].sf == V->sf) { V->M = I->veh[v2].M; V->MT = I->veh[v2].MT; }
        if (V->MT || big) continue;
        i64 *M = V->M ? NULL : owned(I, cells);
        if (M) {
            for (size_t k = 0; k < cells; k++) M[k] = scaled_time(I->D[k], V->sf);
            V->M = M;
        }
        if (!V->M) continue;
        if (sym) { V->MT = V->M; continue; }
        i64 *T = owned(I, cells);
        if (!T) continue;
        for (int a = 0; a < n; a++)
            for (int b = 0; b < n; b++) T[(size_t)b * n + a] = V->M[(size_t)a * n + b];
        V->MT = T;
    }
}

static void inst_free(Inst *I) {
    for (int k = 0; k < I->nscaled; k++) free(I->scaled[k]);
    I->nscaled = 0;
    free(I->veh);
    I->veh = NULL;
}

#endif
