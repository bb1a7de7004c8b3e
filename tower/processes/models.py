"""The end-to-end process map per site: the main tasks, their activity packages with each
department's part (R / A / C / I), the interfaces (hand-overs) between departments, and which
interface each functional area of kpis.md 2 traces to (InterfaceTrace, data), so a failed line's
root cause lands on the hand-over that failed.

Not client-owned: the map is how a CMO site works for every client. The figures on it are
(tower.processes.queries), and are read only for the clients the reader may see.
"""

from django.db import models
from simple_history.models import HistoricalRecords

from tower.masterdata.models import FunctionalArea, Site


class Task(models.TextChoices):
    """The main tasks of the end-to-end process, in their order."""

    PLAN = "plan", "Plan"
    PROCURE = "procure", "Procure"
    MANUFACTURE = "manufacture", "Manufacture"
    QC_RELEASE = "qc_release", "QC release"
    SHIP = "ship", "Ship"
    CUSTOMER_SERVICE = "customer_service", "Customer service"


TASK_ORDER = {value: i for i, value in enumerate(Task.values)}


class Department(models.Model):
    """A department of a CMO site (reference data, seeded by a migration)."""

    code = models.CharField(max_length=40, primary_key=True)
    name = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name


class ActivityPackage(models.Model):
    """A package of activities of one main task at one site."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    task = models.CharField(max_length=20, choices=Task.choices)
    name = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["site", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["site", "task", "name"], name="package_name_per_task")
        ]

    def __str__(self) -> str:
        return f"{self.site_id} {self.get_task_display()}: {self.name}"


class RaciRole(models.TextChoices):
    RESPONSIBLE = "R", "Responsible"
    ACCOUNTABLE = "A", "Accountable"
    CONSULTED = "C", "Consulted"
    INFORMED = "I", "Informed"


class Responsibility(models.Model):
    """A department's part in an activity package (one letter of R / A / C / I)."""

    package = models.ForeignKey(
        ActivityPackage, on_delete=models.CASCADE, related_name="responsibilities"
    )
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=1, choices=RaciRole.choices)

    history = HistoricalRecords()

    class Meta:
        ordering = ["role", "department"]
        constraints = [
            models.UniqueConstraint(
                fields=["package", "department"], name="one_role_per_department"
            )
        ]


class Interface(models.Model):
    """A hand-over from one department to another at a site (what is handed over)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    from_department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    to_department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200, help_text="What is handed over")

    history = HistoricalRecords()

    class Meta:
        ordering = ["site", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "from_department", "to_department"], name="one_interface_per_pair"
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_department_id} → {self.to_department_id}: {self.name}"


class InterfaceTrace(models.Model):
    """Failed lines whose root cause lies in `area` are traced, at `site`, to `interface`."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    area = models.ForeignKey(FunctionalArea, on_delete=models.PROTECT, related_name="+")
    interface = models.ForeignKey(Interface, on_delete=models.CASCADE, related_name="traces")

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "area"], name="one_interface_per_area")
        ]
