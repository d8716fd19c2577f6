"""The NLU components config.yml names: Rasa's spaCy loader, DIET and ResponseSelector, faster when answering.

Custom graph components are Rasa's extension point for the NLU pipeline: each
class here is Rasa's own, subclassed, with the prediction fixes of
`bot/rasa_ext/tuning/nlu.py` (spaCy without its entity recogniser, classifiers
loaded without a training step and called without the `tf.function`'s
dispatch, one model data and one batch per message for both classifiers).
Training is Rasa's: the fixes act only when a trained model loads and answers,
and each falls back to Rasa's code for anything else. RASA_TUNING=off gives
Rasa's code everywhere (read when the model loads and at each call).

The classes keep Rasa's names: Rasa registers components by class name, and
SpacyTokenizer and SpacyFeaturizer find their spaCy model by the provider's
name, "SpacyNLP".
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, List, Optional, Text, Type

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.diet_classifier import DIETClassifier as RasaDIETClassifier
from rasa.nlu.selectors.response_selector import ResponseSelector as RasaResponseSelector
from rasa.nlu.utils.spacy_utils import SpacyModel
from rasa.nlu.utils.spacy_utils import SpacyNLP as RasaSpacyNLP
from rasa.shared.nlu.training_data.message import Message
from rasa.utils.tensorflow.model_data import RasaModelData
from rasa.utils.tensorflow.models import RasaModel

from bot.rasa_ext import tuning
from bot.rasa_ext.tuning import nlu
from bot.settings import rasa_tuning_enabled


def tuned() -> bool:
    """RASA_TUNING, read from the process's environment at each call (the tests switch it), and the right Rasa."""
    return rasa_tuning_enabled() and tuning.fits_this_rasa()


@lru_cache(maxsize=None)
def answering(model_class: Type[RasaModel]) -> Type[RasaModel]:
    """`model_class` (DIET, DIET2BOW, DIET2DIET) with the fixes of loading and prediction, under the same name."""

    class Answering(model_class):  # type: ignore[valid-type,misc]
        @classmethod
        def load(cls, *args: Any, **kwargs: Any) -> RasaModel:
            if not tuned():
                return super().load(*args, **kwargs)
            return nlu.load_model_for_inference(cls, *args, **kwargs)

        def _rasa_predict(self, batch_in: Any) -> Dict[Text, Any]:
            return nlu.rasa_predict(self, batch_in)  # Rasa's own unless the model answers through a DirectCall

        def run_inference(self, *args: Any, **kwargs: Any) -> Dict[Text, Any]:
            return nlu.run_inference(self, *args, **kwargs)  # idem

    # Keras names the model and its weights after the class: the same as Rasa's, so checkpoints match.
    Answering.__name__ = Answering.__qualname__ = model_class.__name__
    return Answering


class _SharedModelData:
    """DIET and the ResponseSelector make one model data per message between them (when answering)."""

    def _create_model_data(
        self,
        training_data: List[Message],
        label_id_dict: Optional[Dict[Text, int]] = None,
        label_attribute: Optional[Text] = None,
        training: bool = True,
    ) -> RasaModelData:
        if not tuned():
            return super()._create_model_data(training_data, label_id_dict, label_attribute, training)  # type: ignore[misc]
        return nlu.create_model_data(self, training_data, label_id_dict, label_attribute, training)


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MODEL_LOADER, DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER],
    is_trainable=False,
    model_from="SpacyNLP",
)
class SpacyNLP(RasaSpacyNLP):
    """Rasa's SpacyNLP; when answering, the named entity recogniser is off (nothing reads its output)."""

    @staticmethod
    def load_model(spacy_model_name: Text) -> SpacyModel:
        if not tuned():
            return RasaSpacyNLP.load_model(spacy_model_name)
        return nlu.load_spacy_model(spacy_model_name)


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR],
    is_trainable=True,
)
class DIETClassifier(_SharedModelData, RasaDIETClassifier):
    """Rasa's DIETClassifier, loaded and called faster when answering."""

    @staticmethod
    def model_class() -> Type[RasaModel]:
        return answering(RasaDIETClassifier.model_class())


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class ResponseSelector(_SharedModelData, RasaResponseSelector):
    """Rasa's ResponseSelector, loaded and called faster when answering; it reads DIET's model data of a message."""

    @staticmethod
    def model_class(use_text_as_label: bool) -> Type[RasaModel]:  # type: ignore[override]
        return answering(RasaResponseSelector.model_class(use_text_as_label))
