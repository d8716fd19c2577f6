"""NLU fixes of the Rasa server: spaCy, features and the two classifiers (rasa 3.6.21; see bot/rasa_ext/tuning/__init__.py).

The components of bot/rasa_ext/nlu_components.py use the spaCy and classifier
fixes; the features' fixes replace methods of Rasa's Message class.

spaCy: Rasa loads `fr_core_news_sm` without its parser but with its named
entity recogniser, which nothing of ours reads (the pipeline extracts no
entities; tokens, lemmas and `doc.vector` come from tok2vec, morphologizer and
lemmatizer). Switching it off about halves spaCy's time per message and
leaves every feature the classifiers see identical (checked by the tests), so
a model trained with it still applies.

Features: before each classifier, Rasa joins the sparse features of the four
featurizers of a message two at a time, copying the first and stacking again
for each further one (four joins per message). They are now stacked in one go,
for a fraction of the cost, and the entries of COO matrices (what the
featurizers give) joined without scipy's block grid, which took most of that
join's time: the same matrix, in the same format and order. DIET and the
ResponseSelector each joined the features of the same message; the second now
gets the first's join, kept on the message until a feature is added.

Loading the classifiers: Rasa builds DIET and the ResponseSelector by training
them for one step on one example (`RasaModel.load`), which creates the Adam
optimizer's state (two more copies of every weight) and traces the training
graph, then reads the weights over them. For answering, the weights are read
first and the model is built by its first prediction, which the loader makes
anyway: the same weights (every variable is checked as restored), the same
predictions, much less memory for the Rasa server and a shorter start
(measured in bench/README.md).
Fine-tuning (`rasa train --finetune`) keeps Rasa's own loader.

Calling the classifiers: each prediction goes through the `tf.function`'s
dispatch (argument binding, signature matching, cache lookup), most of the time
a prediction takes, twice per message. The loader now hands Rasa a direct call
of the one graph that function traced, fed with the same tensors (same dtypes;
shapes checked against its signature, else the `tf.function` is called as
before): a fraction of the time, the same outputs. Rasa's batches (numpy
arrays) become tensors through the function TF's conversion ends in, their
shapes checked against the signature in Python; the outputs become numpy arrays
as keras makes them, without `tf.nest`; and keras' tracking of model attributes
is skipped when Rasa sets `_training` to the value it already has: these took a
noticeable share of the server's time around the two predictions of a message.
DIET and the ResponseSelector read the same features of the message in the same
way: the second now gets the first's model data, batch and tensors instead of
making them again (for the one example a message is, Rasa's data generator is
replaced by the one batch it would give).
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text, Tuple, Union

import numpy as np
import scipy.sparse
import tensorflow as tf
from keras.utils import tf_utils
from rasa.nlu.classifiers.diet_classifier import DIETClassifier
from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP
from rasa.shared.constants import DIAGNOSTIC_DATA
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.utils.tensorflow.constants import FEATURIZERS
from rasa.utils.tensorflow.data_generator import RasaBatchDataGenerator
from rasa.utils.tensorflow.model_data import RasaModelData
from rasa.utils.tensorflow.models import RasaModel
from tensorflow.python.eager import context as tf_context
from tensorflow.python.framework.constant_op import convert_to_eager_tensor
from tensorflow.python.framework.ops import EagerTensor

logger = logging.getLogger(__name__)

_load_spacy_model = SpacyNLP.load_model


def load_spacy_model(spacy_model_name: str) -> SpacyModel:
    """Rasa's spaCy model loader, then the named entity recogniser switched off."""
    loaded = _load_spacy_model(spacy_model_name)
    if "ner" in loaded.model.pipe_names:
        loaded.model.disable_pipe("ner")
    return loaded


rasa_combine_features = Message._combine_features  # Rasa's own, for comparison in the tests


def hstack(matrices: List[Any]) -> Any:
    """`scipy.sparse.hstack` of sparse matrices with the same number of rows; for COO matrices (what the featurizers
    give), their entries joined directly: the same matrix, without the block grid scipy builds around them."""
    if not all(scipy.sparse.isspmatrix_coo(matrix) for matrix in matrices):
        return scipy.sparse.hstack(matrices)
    offsets = np.cumsum([0] + [matrix.shape[1] for matrix in matrices])
    shape = (matrices[0].shape[0], int(offsets[-1]))
    index_dtype = scipy.sparse._sputils.get_index_dtype(maxval=max(shape))
    data = np.concatenate([matrix.data for matrix in matrices])
    rows = np.concatenate([matrix.row for matrix in matrices]).astype(index_dtype, copy=False)
    columns = np.concatenate([matrix.col.astype(index_dtype) + offset for matrix, offset in zip(matrices, offsets)])
    return scipy.sparse.coo_matrix((data, (rows, columns.astype(index_dtype, copy=False))), shape=shape)


def combine_features(features: List[Features], featurizers: List[Text]) -> Optional[Features]:
    """`Message._combine_features` of rasa 3.6.21 with one stacking of all the matrices instead of one per pair."""
    if len(features) < 2:
        return rasa_combine_features(features, featurizers)
    first = features[0]
    if all(f.is_sparse() for f in features) and len({f.features.shape[0] for f in features}) == 1:
        stacked = hstack([f.features for f in features])
    elif all(f.is_dense() for f in features) and len({f.features.ndim for f in features}) == 1:
        stacked = np.concatenate([f.features for f in features], axis=-1)
    else:
        return rasa_combine_features(features, featurizers)  # Rasa's own error for features that do not fit
    return Features(stacked, first.type, first.attribute, featurizers)


def _features_mark(message: Message) -> Tuple[int, Optional[Features]]:
    """What tells that a message's features are unchanged: features are only ever added, one at a time."""
    return len(message.features), (message.features[-1] if message.features else None)


rasa_get_all_features = Message.get_all_features  # Rasa's own, for comparison in the tests


def get_all_features(self: Message, attribute: Text, featurizers: Optional[List[Text]] = None) -> List[Features]:
    """`Message.get_all_features` of rasa 3.6.21, joined once per attribute while no feature is added."""
    which = (attribute, tuple(featurizers or ()))
    count, last = _features_mark(self)
    kept = self.__dict__.setdefault("_joined_features", {})
    found = kept.get(which)
    if found is None or found[0] != count or found[1] is not last:
        found = kept[which] = (count, last, rasa_get_all_features(self, attribute, featurizers))
    return list(found[2])


rasa_model_load = RasaModel.load.__func__  # Rasa's own classmethod, for comparison in the tests
TENSORFLOW_VERSION = "2.12.0"  # DirectCall uses ConcreteFunction._call_flat of this version


_last_tensors: Optional[Tuple[Any, List[Any], List[Any]]] = None  # (batch, input signature, its tensors)


class DirectCall:
    """A model's prediction `tf.function` (one input signature, so one graph) called without its dispatch."""

    def __init__(self, function: Any) -> None:
        self.function = function
        self.graph = function.get_concrete_function()
        self.specs = list(self.graph.structured_input_signature[0][0])
        self.dims = [None if spec.shape.rank is None else tuple(spec.shape.as_list()) for spec in self.specs]
        self.signature = [(spec.dtype, dims) for spec, dims in zip(self.specs, self.dims)]
        self.context = tf_context.context()

    def _tensor(self, value: Any, spec: Any, dims: Optional[Tuple[Optional[int], ...]]) -> Optional[Any]:
        """The value as the input tensor `spec` describes, or None when it does not fit."""
        try:
            if isinstance(value, np.ndarray) and dims is not None:  # Rasa's batches: checked without TF's layers
                if len(value.shape) != len(dims) or any(d is not None and d != n for d, n in zip(dims, value.shape)):
                    return None
                return convert_to_eager_tensor(value, self.context, spec.dtype)  # what tf.convert_to_tensor ends in
            tensor = tf.convert_to_tensor(value, dtype=spec.dtype)
        except (TypeError, ValueError):
            return None
        return tensor if spec.is_compatible_with(tensor) else None

    def __call__(self, batch_in: Any) -> Any:
        if len(batch_in) == len(self.specs):
            global _last_tensors
            last = _last_tensors
            if last is not None and last[0] is batch_in and last[1] == self.signature:
                tensors = last[2]  # the batch the other classifier just read, for the same inputs
            else:
                tensors = [
                    self._tensor(value, spec, dims) for value, spec, dims in zip(batch_in, self.specs, self.dims)
                ]
                _last_tensors = (batch_in, self.signature, tensors)
            if all(tensor is not None for tensor in tensors):
                return self.graph._call_flat(tensors, self.graph.captured_inputs)
        return self.function(batch_in)  # what Rasa would call: its own errors for inputs that do not fit


def to_numpy(outputs: Any) -> Any:
    """keras' `sync_to_numpy_or_python_type` for the dicts, lists and tuples of eager tensors a prediction gives
    (anything else goes to keras' own)."""

    def convert(value: Any) -> Any:
        if type(value) is dict:
            return {key: convert(item) for key, item in value.items()}
        if type(value) in (list, tuple):
            return type(value)(convert(item) for item in value)
        if not isinstance(value, EagerTensor):
            raise TypeError(type(value).__name__)
        array = value.numpy()
        return array.item() if array.ndim == 0 else array

    try:
        return convert(outputs)
    except TypeError:
        return tf_utils.sync_to_numpy_or_python_type(outputs)


rasa_rasa_predict = RasaModel._rasa_predict  # Rasa's own, for comparison in the tests


def rasa_predict(self: RasaModel, batch_in: Tuple[np.ndarray, ...]) -> Dict[Text, Any]:
    """`RasaModel._rasa_predict` of rasa 3.6.21 for a model answering through a DirectCall: keras' attribute
    tracking only when `_training` changes, the outputs made numpy without `tf.nest`."""
    if self._run_eagerly or not self.prepared_for_prediction or not isinstance(self._tf_predict_step, DirectCall):
        return rasa_rasa_predict(self, batch_in)
    if self._training is not False:
        self._training = False
    outputs = to_numpy(self._tf_predict_step(batch_in))
    if DIAGNOSTIC_DATA in outputs:
        outputs[DIAGNOSTIC_DATA] = self._empty_lists_to_none_in_dict(outputs[DIAGNOSTIC_DATA])
    return outputs


def call_directly(model: RasaModel) -> None:
    """Swap the model's traced prediction function for a DirectCall (nothing when it has none or TF differs)."""
    function = getattr(model, "_tf_predict_step", None)
    if function is None or tf.__version__ != TENSORFLOW_VERSION:
        return
    try:
        model._tf_predict_step = DirectCall(function)
    except (AttributeError, IndexError, TypeError, ValueError):
        logger.warning(
            "bot.rasa_ext.tuning: fonction de prédiction de %s inattendue, appel ordinaire", type(model).__name__
        )


def load_model_for_inference(
    cls: type,
    model_file_name: Text,
    model_data_example: Any,
    predict_data_example: Any = None,
    finetune_mode: bool = False,
    *args: Any,
    **kwargs: Any,
) -> RasaModel:
    """`RasaModel.load` of rasa 3.6.21 without its one training step: weights read, then the model built by a prediction."""
    if finetune_mode or predict_data_example is None:
        return rasa_model_load(
            cls, model_file_name, model_data_example, predict_data_example, finetune_mode, *args, **kwargs
        )
    model = cls(*args, **kwargs)
    status = model.load_weights(model_file_name)  # restored into each variable as the prediction creates it
    model.run_inference(predict_data_example)
    try:
        status.expect_partial()  # the optimizer's state in the file has no use here
        status.assert_existing_objects_matched()
    except AssertionError:
        logger.warning(
            "bot.rasa_ext.tuning: poids de %s incomplets, chargement par Rasa", model_file_name, exc_info=True
        )
        return rasa_model_load(
            cls, model_file_name, model_data_example, predict_data_example, finetune_mode, *args, **kwargs
        )
    call_directly(model)
    return model


rasa_create_model_data = DIETClassifier._create_model_data  # Rasa's own, for comparison in the tests


def create_model_data(
    self: DIETClassifier,
    training_data: List[Message],
    label_id_dict: Optional[Dict[Text, int]] = None,
    label_attribute: Optional[Text] = None,
    training: bool = True,
) -> RasaModelData:
    """`DIETClassifier._create_model_data` of rasa 3.6.21 (also the ResponseSelector's), made once per message at
    prediction for the classifiers that read the same features in the same way, while no feature is added."""
    if training or label_id_dict is not None or label_attribute is not None or len(training_data) != 1:
        return rasa_create_model_data(self, training_data, label_id_dict, label_attribute, training)
    message = training_data[0]
    # At prediction only the text is read (entity tags and their BILOU scheme are training labels).
    reading = (self.component_config.get(FEATURIZERS), self.label_key, self.label_sub_key)
    count, last = _features_mark(message)
    kept = message.__dict__.get("_model_data")
    if kept is None or kept[0] != count or kept[1] is not last or kept[2] != reading:
        kept = message.__dict__["_model_data"] = (
            count,
            last,
            reading,
            rasa_create_model_data(self, training_data, label_id_dict, label_attribute, training),
        )
    return kept[3]


rasa_run_inference = RasaModel.run_inference  # Rasa's own, for comparison in the tests


def run_inference(
    self: RasaModel,
    model_data: RasaModelData,
    batch_size: Union[int, List[int]] = 1,
    output_keys_expected: Optional[List[Text]] = None,
) -> Dict[Text, Any]:
    """`RasaModel.run_inference` of rasa 3.6.21 for one example answered through a DirectCall: its one batch made
    as Rasa's data generator makes it, once per model data (the ResponseSelector reads DIET's)."""
    if batch_size != 1 or not isinstance(self._tf_predict_step, DirectCall) or model_data.number_of_examples() != 1:
        return rasa_run_inference(self, model_data, batch_size, output_keys_expected)
    batch_in = model_data.__dict__.get("_batch")
    if batch_in is None:
        batch_in = model_data.__dict__["_batch"] = RasaBatchDataGenerator.prepare_batch(model_data.data, 0, 1)
    batch_out = self._rasa_predict(batch_in)
    if output_keys_expected:
        batch_out = {key: output for key, output in batch_out.items() if key in output_keys_expected}
    return batch_out
