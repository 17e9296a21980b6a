from rest_framework import serializers

from .models import WebAccess


class WebAccessSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebAccess
        fields = ["id", "time", "outcome", "principal", "entered_login", "ip", "user_agent", "reason"]
