"""Higher-order functions taking lambdas (ksqlDB category LAMBDA): TRANSFORM, FILTER, REDUCE.

At run time a lambda argument is a Python callable taking the lambda's parameters; the
registry's ``lambda_param_types`` tells the compiler their types before it compiles the body.
"""

from __future__ import annotations

from .registry import scalar

L = "LAMBDA"


@scalar("TRANSFORM", ["ARRAY<T> array", "FN(T) -> U function"], "ARRAY<U>", L,
        "Applies a function to every element of an array, or to every key and value of a map.")
def transform_array(arr, f):
    return None if arr is None else [f(x) for x in arr]


@scalar("TRANSFORM", ["MAP<K, V> map", "FN(K, V) -> A keyFunction",
                      "FN(K, V) -> B valueFunction"], "MAP<A, B>", L)
def transform_map(m, fk, fv):
    return None if m is None else {fk(k, v): fv(k, v) for k, v in m.items()}


@scalar("FILTER", ["ARRAY<T> array", "FN(T) -> BOOLEAN predicate"], "ARRAY<T>", L,
        "Keeps the elements (or map entries) for which the predicate is true.")
def filter_array(arr, p):
    return None if arr is None else [x for x in arr if p(x)]


@scalar("FILTER", ["MAP<K, V> map", "FN(K, V) -> BOOLEAN predicate"], "MAP<K, V>", L)
def filter_map(m, p):
    return None if m is None else {k: v for k, v in m.items() if p(k, v)}


@scalar("REDUCE", ["ARRAY<T> array", "S initialState", "FN(S, T) -> S reducer"], "S", L,
        "Folds an array (or map) into a single value, starting from an initial state.")
def reduce_array(arr, state, f):
    if state is None:
        return None
    for x in arr or ():
        state = f(state, x)
    return state


@scalar("REDUCE", ["MAP<K, V> map", "S initialState", "FN(S, K, V) -> S reducer"], "S", L)
def reduce_map(m, state, f):
    if state is None:
        return None
    for k, v in (m or {}).items():
        state = f(state, k, v)
    return state
