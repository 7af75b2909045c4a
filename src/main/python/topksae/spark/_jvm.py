"""Moving results out of the JVM: bulk array copies and Java objects to plain Python values.

Py4J fetches a Java array element by element (one socket round trip each), so primitive arrays
are packed into one little-endian byte[] in the JVM, which Py4J copies in one piece.
"""

from typing import Any, Dict, List, Tuple

import numpy as np

_BUFFERS = {  # Java primitive component type -> (ByteBuffer view, bytes per element, numpy dtype)
    "float": ("asFloatBuffer", 4, "<f4"),
    "double": ("asDoubleBuffer", 8, "<f8"),
    "int": ("asIntBuffer", 4, "<i4"),
    "long": ("asLongBuffer", 8, "<i8"),
}


def _gateway() -> Any:
    from pyspark import SparkContext

    sc = SparkContext._active_spark_context
    if sc is None:
        raise RuntimeError("no active SparkContext: start a SparkSession first")
    return sc._gateway


def _pack(arrays: List[Any], kind: str, length: int) -> np.ndarray:
    """Copies Java primitive arrays (all of `length` elements of type `kind`) into one numpy array."""
    jvm = _gateway().jvm
    view, width, dtype = _BUFFERS[kind]
    buf = jvm.java.nio.ByteBuffer.allocate(len(arrays) * length * width)
    buf.order(jvm.java.nio.ByteOrder.LITTLE_ENDIAN)
    typed = getattr(buf, view)()
    for a in arrays:
        typed.put(a)
    flat = np.frombuffer(bytes(buf.array()), dtype=dtype).astype(dtype[1:], copy=True)
    return flat.reshape(len(arrays), length)


def matrix(java_rows: Any, kind: str = "float") -> np.ndarray:
    """A Java 2-d primitive array (e.g. float[][]) as a numpy array [rows, cols]."""
    rows = [java_rows[i] for i in range(len(java_rows))]
    if not rows:
        return np.zeros((0, 0), dtype=_BUFFERS[kind][2][1:])
    return _pack(rows, kind, len(rows[0]))


def vector(java_array: Any, kind: str) -> np.ndarray:
    """A Java 1-d primitive array as a numpy array."""
    return _pack([java_array], kind, len(java_array))[0]


def records(java_records: Any) -> List[Dict[str, Any]]:
    """A java.util.List of Java records (all of one class) as a list of dicts."""
    items = list(java_records)
    if not items:
        return []
    gw = _gateway()
    no_args = gw.new_array(gw.jvm.java.lang.Object, 0)
    components = list(items[0].getClass().getRecordComponents())
    names = [c.getName() for c in components]
    accessors = [c.getAccessor() for c in components]
    return [dict(zip(names, (a.invoke(r, no_args) for a in accessors))) for r in items]


_SCALARS = {"int", "long", "double", "float", "boolean", "java.lang.String"}


def scalar_getters(obj: Any, skip: Tuple[str, ...] = ()) -> Dict[str, Any]:
    """The values of an object's public no-argument methods that return a number, boolean or
    string and are declared by its own class (e.g. a summary's totals), by method name."""
    gw = _gateway()
    no_args = gw.new_array(gw.jvm.java.lang.Object, 0)
    is_public = gw.jvm.java.lang.reflect.Modifier.isPublic
    out = {}
    for m in obj.getClass().getDeclaredMethods():
        name = m.getName()
        if (
            m.getParameterCount() == 0
            and is_public(m.getModifiers())
            and name not in skip
            and m.getReturnType().getName() in _SCALARS
            and name not in ("toString", "hashCode")
        ):
            out[name] = m.invoke(obj, no_args)
    return dict(sorted(out.items()))


def dictionary(model: Any) -> np.ndarray:
    """The model's dictionary [nbConcepts, dim] as float32."""
    return matrix(model._java_obj.dictionary(), "float")


def summary(model: Any) -> Tuple[List[Dict[str, Any]], Dict[str, Any]]:
    """The JVM training summary: (one dict per round, the totals by name)."""
    js = model._java_obj.summary()
    return records(js.rounds()), scalar_getters(js)
