"""Shared machinery: the append-only audit ledger and model mixins."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Adds created/updated timestamps (aware datetimes)."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class LedgerImmutable(Exception):
    """Raised when code tries to change or remove a ledger entry."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise LedgerImmutable("audit entries cannot be updated")

    def delete(self):
        raise LedgerImmutable("audit entries cannot be deleted")


class AuditEntry(models.Model):
    """One entry of the audit ledger: who did what to which object, chained by hash to the entry before."""

    seq = models.BigIntegerField(_("sequence"), unique=True)
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    actor_label = models.CharField(_("actor label"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    change = models.JSONField(_("change"), default=dict)
    digest = models.CharField(_("digest of the change"), max_length=64)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="core_audit_object_idx")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise LedgerImmutable("audit entries cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerImmutable("audit entries cannot be deleted")


class LedgerHead(models.Model):
    """The single row that holds the ledger's last sequence number and hash; locked while appending."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("ledger head")
        verbose_name_plural = _("ledger head")

    def __str__(self) -> str:
        return f"ledger head #{self.seq}"


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise LedgerImmutable(f"{self.model._meta.label} rows cannot be updated")

    def delete(self):
        raise LedgerImmutable(f"{self.model._meta.label} rows cannot be deleted")


class AppendOnlyModel(models.Model):
    """Rows are written once: the model refuses save-after-create and delete (and so does a database trigger)."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise LedgerImmutable(f"{self._meta.label} rows cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerImmutable(f"{self._meta.label} rows cannot be deleted")


class LogLeaf(AppendOnlyModel):
    """One leaf of the transparency log (RFC 9162 Merkle tree): the hash of a published object's canonical bytes.

    `index` is the leaf's position (0-based); `leaf_hash` = SHA-256(0x00 || leaf bytes). The leaf bytes are not
    stored here: they are recomputed from the object (`object_type`, `object_id`) by the leaf source that its app
    registers, so that a changed object no longer matches its leaf.
    """

    index = models.BigIntegerField(_("index"), unique=True)
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64)
    leaf_hash = models.BinaryField(_("leaf hash"), max_length=32)
    logged_at = models.DateTimeField(_("logged at"))

    class Meta:
        verbose_name = _("log leaf")
        verbose_name_plural = _("log leaves")
        ordering = ["index"]
        constraints = [
            models.UniqueConstraint(fields=["object_type", "object_id"], name="core_logleaf_object_unique")
        ]

    def __str__(self) -> str:
        return f"leaf {self.index} {self.object_type}:{self.object_id}"


class LogNode(AppendOnlyModel):
    """A cached hash of a complete (perfect) subtree of the log: leaves [start, start + 2**level).

    Stored once the subtree is complete, so that roots and proofs need O(log n) reads instead of rehashing every
    leaf. Derived data: `gongkai verify-log` recomputes every node from the leaves.
    """

    level = models.PositiveSmallIntegerField(_("level"))
    start = models.BigIntegerField(_("first leaf"))
    hash = models.BinaryField(_("hash"), max_length=32)

    class Meta:
        verbose_name = _("log node")
        verbose_name_plural = _("log nodes")
        constraints = [models.UniqueConstraint(fields=["level", "start"], name="core_lognode_unique")]

    def __str__(self) -> str:
        return f"node {self.level}/{self.start}"


class TreeHead(AppendOnlyModel):
    """A signed tree head: the log's size and root hash at a moment, signed with the log's Ed25519 key."""

    tree_size = models.BigIntegerField(_("tree size"))
    root_hash = models.BinaryField(_("root hash"), max_length=32)
    timestamp = models.BigIntegerField(_("timestamp (ms since 1970)"))
    key_id = models.CharField(_("key id"), max_length=64)
    signature = models.BinaryField(_("signature"), max_length=64)

    class Meta:
        verbose_name = _("signed tree head")
        verbose_name_plural = _("signed tree heads")
        ordering = ["-tree_size", "-timestamp"]
        indexes = [models.Index(fields=["tree_size"], name="core_treehead_size_idx")]

    def __str__(self) -> str:
        return f"tree head {self.tree_size} @ {self.timestamp}"


class Notification(models.Model):
    """An in-app notification to a person (a reminder, an escalation, an answer). Email copies when configured.

    `key` makes sending idempotent: the worker may run a reminder job twice; the same key is stored once.
    """

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    key = models.CharField(_("key"), max_length=150)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["person", "key"], name="core_notification_key_unique")]
        indexes = [models.Index(fields=["person", "read_at", "-created_at"], name="core_notif_inbox_idx")]

    def __str__(self) -> str:
        return self.title
